import { defineSuite } from '../src/engine/suite.js';

defineSuite('security');
