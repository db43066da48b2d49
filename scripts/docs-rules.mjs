// Writes docs/rules.md from the rule ledger (run after `npm run build`, as `npm run docs:rules` does).
import { writeFileSync } from 'node:fs';
import { RULES } from '../dist/src/rules.js';
import { RULES_DOC_FILE, renderRulesDoc } from '../dist/src/rules-doc.js';

writeFileSync(new URL(`../${RULES_DOC_FILE}`, import.meta.url), renderRulesDoc(RULES));
console.log(`wrote ${RULES_DOC_FILE} (${RULES.length} rules)`);
