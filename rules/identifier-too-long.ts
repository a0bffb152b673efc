import { defineRule } from '../src/lint/rule.js';
import { clipBytes } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'identifier-too-long',
    category: 'robustness',
    severity: 'error',
    description: 'An identifier over 63 bytes, which PostgreSQL silently truncates',
    messages: {
      default: {
        message:
          '"{{name}}" is {{bytes}} bytes long: PostgreSQL silently truncates it to 63 bytes ("{{truncated}}"). SQL that spells the long name is truncated the same way and still works, but code that compares names as strings (error handlers matching constraint names, schema-diff tools, catalog queries) looks for a name that is not there, and another long name with the same first 63 bytes collides with it',
        help: 'Choose a name of at most 63 bytes',
      },
    },
  },
  create(context) {
    return {
      // the parser has already truncated names in the AST: read them from the text
      statement(statement) {
        // indexed loop, no iterator: this runs for every statement, in code V8 does not optimize (bin/pgphase.cjs)
        const identifiers = context.source.identifiers;
        for (let i = 0; i < identifiers.length; i++) {
          const id = identifiers[i]!;
          if (id.start < statement.start || id.end > statement.end) continue;
          const bytes = Buffer.byteLength(id.name);
          if (bytes <= 63) continue;
          context.report({
            messageId: 'default',
            location: id.location,
            data: { name: id.name, bytes, truncated: clipBytes(id.name, 63) },
          });
        }
      },
    };
  },
});
