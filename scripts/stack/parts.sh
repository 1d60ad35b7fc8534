# shellcheck shell=bash disable=SC2034 # (SC2034: used by the scripts that source this file)
# The local stack's parts, in one place: lib.sh (up, down, status, install) and the scripts that stop
# at the end exactly the parts they started (scripts/test.sh, scripts/engine/image-env.sh).
STACK_PARTS=(temporal kafka stripe-mock stripe-standin codec-server)
# Started only when named or asked for with --with; down.sh with no argument stops them too.
STACK_OPTIONAL_PARTS=(prometheus tracing)
