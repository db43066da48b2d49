// `npm run build`: writes dist/src/fruxon.spec.json, the spec as JSON with the digest of its YAML (src/spec.ts).
import { compileSpec } from '../dist/src/spec.js';

compileSpec();
