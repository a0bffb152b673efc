// The rule registry: every rule pgphase runs, in the order of RULES.md.
import type { Rule } from '../src/lint/rule.js';
import dropColumn from './drop-column.js';
import renameColumn from './rename-column.js';
import dropTable from './drop-table.js';
import renameTable from './rename-table.js';
import addRequiredColumn from './add-required-column.js';
import setNotNull from './set-not-null.js';
import changeColumnType from './change-column-type.js';
import columnTypeRewrite from './column-type-rewrite.js';
import narrowingTypeChange from './narrowing-type-change.js';
import dropDefault from './drop-default.js';
import dropNotNull from './drop-not-null.js';
import addCheckConstraint from './add-check-constraint.js';
import addUniqueConstraint from './add-unique-constraint.js';
import addForeignKey from './add-foreign-key.js';
import renameObject from './rename-object.js';
import dropObject from './drop-object.js';
import renameEnumValue from './rename-enum-value.js';
import createIndexNonConcurrently from './create-index-non-concurrently.js';
import dropIndexNonConcurrently from './drop-index-non-concurrently.js';
import reindexNonConcurrently from './reindex-non-concurrently.js';
import addForeignKeyValidated from './add-foreign-key-validated.js';
import addCheckValidated from './add-check-validated.js';
import validateInSameTransaction from './validate-in-same-transaction.js';
import setNotNullScan from './set-not-null-scan.js';
import addConstraintBuildsIndex from './add-constraint-builds-index.js';
import primaryKeyOnNullable from './primary-key-on-nullable.js';
import addExclusionConstraint from './add-exclusion-constraint.js';
import addColumnRewrite from './add-column-rewrite.js';
import tableRewrite from './table-rewrite.js';
import refreshMatviewNonConcurrently from './refresh-matview-non-concurrently.js';
import detachPartitionNonConcurrently from './detach-partition-non-concurrently.js';
import domainCheckConstraint from './domain-check-constraint.js';
import missingLockTimeout from './missing-lock-timeout.js';
import statementsAfterExclusiveLock from './statements-after-exclusive-lock.js';
import lockTable from './lock-table.js';
import truncate from './truncate.js';
import unbatchedDataChange from './unbatched-data-change.js';
import cascadeDrop from './cascade-drop.js';
import dropConstraint from './drop-constraint.js';
import syntaxError from './syntax-error.js';
import concurrentlyInTransaction from './concurrently-in-transaction.js';
import enumValueUsedInSameTransaction from './enum-value-used-in-same-transaction.js';
import transactionNesting from './transaction-nesting.js';
import expandAndContractInOneMigration from './expand-and-contract-in-one-migration.js';
import mixedDdlAndDml from './mixed-ddl-and-dml.js';
import identifierTooLong from './identifier-too-long.js';
import nonIdempotent from './non-idempotent.js';
import unusedIgnore from './unused-ignore.js';
import invalidIgnore from './invalid-ignore.js';
import unknownObject from './unknown-object.js';
import preferBigint from './prefer-bigint.js';
import preferIdentity from './prefer-identity.js';
import preferTimestamptz from './prefer-timestamptz.js';
import preferText from './prefer-text.js';
import banChar from './ban-char.js';
import preferJsonb from './prefer-jsonb.js';
import fkMissingIndex from './fk-missing-index.js';
import attachPartitionWithoutCheck from './attach-partition-without-check.js';
import lockTimeoutTooLong from './lock-timeout-too-long.js';
import changeCollation from './change-collation.js';
import enableRlsWithoutPolicy from './enable-rls-without-policy.js';
import disableTrigger from './disable-trigger.js';
import replicaIdentity from './replica-identity.js';
import dropPublishedPrimaryKey from './drop-published-primary-key.js';
import createTrigger from './create-trigger.js';

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
  enableRlsWithoutPolicy,
  dropPublishedPrimaryKey,
  createTrigger,
  createIndexNonConcurrently,
  dropIndexNonConcurrently,
  reindexNonConcurrently,
  addForeignKeyValidated,
  addCheckValidated,
  validateInSameTransaction,
  setNotNullScan,
  addConstraintBuildsIndex,
  primaryKeyOnNullable,
  addExclusionConstraint,
  columnTypeRewrite,
  changeCollation,
  addColumnRewrite,
  tableRewrite,
  refreshMatviewNonConcurrently,
  detachPartitionNonConcurrently,
  attachPartitionWithoutCheck,
  domainCheckConstraint,
  missingLockTimeout,
  lockTimeoutTooLong,
  statementsAfterExclusiveLock,
  lockTable,
  truncate,
  unbatchedDataChange,
  narrowingTypeChange,
  cascadeDrop,
  dropConstraint,
  syntaxError,
  concurrentlyInTransaction,
  enumValueUsedInSameTransaction,
  transactionNesting,
  expandAndContractInOneMigration,
  mixedDdlAndDml,
  identifierTooLong,
  nonIdempotent,
  unusedIgnore,
  invalidIgnore,
  unknownObject,
  disableTrigger,
  replicaIdentity,
  preferBigint,
  preferIdentity,
  preferTimestamptz,
  preferText,
  banChar,
  preferJsonb,
  fkMissingIndex,
];
