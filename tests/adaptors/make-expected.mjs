// Writes expected.json: the export names Node sees for the same imports as import-all.js.
// Run in this folder after `npm install`.
import fs from 'node:fs';

const specifiers = {
  common: '@openfn/language-common',
  commonUtil: '@openfn/language-common/util',
  commonMeta: '@openfn/language-common/metadata',
  http: '@openfn/language-http',
  fhir: '@openfn/language-fhir',
  openmrs: '@openfn/language-openmrs',
  mssql: '@openfn/language-mssql',
  collections: '@openfn/language-collections',
};
const data = {};
for (const [key, specifier] of Object.entries(specifiers)) data[key] = Object.keys(await import(specifier)).sort();
fs.writeFileSync(new URL('./expected.json', import.meta.url), JSON.stringify(data, null, 2) + '\n');
