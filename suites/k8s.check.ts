import { defineSuite } from '../src/engine/suite.js';

await defineSuite('k8s');
