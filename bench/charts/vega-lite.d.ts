// vega-lite declares its types only under package.json "exports", which this project's module
// resolution (node10, CommonJS) does not read: point the package name at them.
declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
