import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'domain-check-constraint',
    category: 'blocks-traffic',
    severity: 'warning',
    description:
      'CHECK constraints on domains: adding one scans every column of that domain, and they are hard to change later',
    messages: {
      create: {
        message: 'Domain {{domain}} carries a CHECK: changing it later scans every table that uses the domain',
        help: "Put the CHECK on the columns that use the type instead of on the domain: a column's CHECK can later be changed table by table (NOT VALID, then VALIDATE) without blocking writes",
      },
      alter: {
        message:
          'Adding a constraint to domain {{domain}} checks every column of every table that uses it, under locks that block writes',
        help: 'Put the CHECK on the columns (NOT VALID, then VALIDATE) instead of on the domain',
      },
      validate: {
        message:
          'Validating constraint {{constraint}} of domain {{domain}} checks every column of every table that uses it while holding a SHARE lock on each of those tables, which blocks their writes',
        help: 'Drop {{constraint}} from the domain and put the CHECK on the columns instead (NOT VALID, then VALIDATE, which blocks no writes)',
      },
    },
  },
  kinds: ['create-domain', 'alter-domain-add-constraint', 'alter-domain-validate-constraint'],
  create(context) {
    return {
      change(change) {
        if (change.kind === 'create-domain' && change.hasCheck)
          context.report({ messageId: 'create', data: { domain: quoteQName(change.name) } });
        if (change.kind === 'alter-domain-add-constraint' && !change.notValid && !context.isNewObject(change.name)) {
          context.report({ messageId: 'alter', data: { domain: quoteQName(change.name) } });
        }
        if (change.kind === 'alter-domain-validate-constraint' && !context.isNewObject(change.name)) {
          context.report({
            messageId: 'validate',
            data: { domain: quoteQName(change.name), constraint: quoteIdent(change.constraint) },
          });
        }
      },
    };
  },
});
