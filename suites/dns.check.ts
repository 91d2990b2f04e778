import { defineSuite } from '../src/engine/suite.js';

await defineSuite('dns');
