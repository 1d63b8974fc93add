// Imports every module the six registry adaptors export and records each namespace's names.
import * as common from '@openfn/language-common';
import * as commonUtil from '@openfn/language-common/util';
import * as commonMeta from '@openfn/language-common/metadata';
import * as http from '@openfn/language-http';
import * as fhir from '@openfn/language-fhir';
import * as openmrs from '@openfn/language-openmrs';
import * as mssql from '@openfn/language-mssql';
import * as collections from '@openfn/language-collections';

const all = { common, commonUtil, commonMeta, http, fhir, openmrs, mssql, collections };
export default [
  (state) => ({ ...state, data: Object.fromEntries(Object.entries(all).map(([k, ns]) => [k, Object.keys(ns).sort()])) }),
];
