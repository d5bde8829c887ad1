// @shop/load: the load and race tool (npm run load -- <scenario>), usable as a library by tests.
export { runLoad, type LoadReport, type RunConfig } from './run';
export { formatTable } from './table';
export { SCENARIOS, type ScenarioName } from './scenarios';
export type { Targets } from './api';
export { renderHtml } from './html';
export { Storefront } from './api';
export { prepareBuyers, type Buyer } from './users';
export { Recorder } from './stats';
export { runAll } from './runner';
