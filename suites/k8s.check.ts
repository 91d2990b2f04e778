import { defineSuite } from '../src/engine/suite.js';

defineSuite('k8s');
