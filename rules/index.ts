// The rule registry: every rule pgphase runs, in the order of RULES.md.
import dropColumn from './drop-column.js';
import renameColumn from './rename-column.js';
import dropTable from './drop-table.js';
import renameTable from './rename-table.js';
import addRequiredColumn from './add-required-column.js';
import setNotNull from './set-not-null.js';
import changeColumnType from './change-column-type.js';
import dropDefault from './drop-default.js';
import dropNotNull from './drop-not-null.js';
import addCheckConstraint from './add-check-constraint.js';
import addUniqueConstraint from './add-unique-constraint.js';
import addForeignKey from './add-foreign-key.js';
import renameObject from './rename-object.js';
import dropObject from './drop-object.js';
import renameEnumValue from './rename-enum-value.js';
import createIndexNonConcurrently from './create-index-non-concurrently.js';
import missingLockTimeout from './missing-lock-timeout.js';
import syntaxError from './syntax-error.js';
import concurrentlyInTransaction from './concurrently-in-transaction.js';
import transactionNesting from './transaction-nesting.js';
import expandAndContractInOneMigration from './expand-and-contract-in-one-migration.js';
import unusedIgnore from './unused-ignore.js';
import invalidIgnore from './invalid-ignore.js';
import type { Rule } from '../src/lint/rule.js';

export const rules: readonly Rule[] = [
  dropColumn,
  renameColumn,
  dropTable,
  renameTable,
  addRequiredColumn,
  setNotNull,
  changeColumnType,
  dropDefault,
  dropNotNull,
  addCheckConstraint,
  addUniqueConstraint,
  addForeignKey,
  renameObject,
  dropObject,
  renameEnumValue,
  createIndexNonConcurrently,
  missingLockTimeout,
  syntaxError,
  concurrentlyInTransaction,
  transactionNesting,
  expandAndContractInOneMigration,
  unusedIgnore,
  invalidIgnore,
];
