// npm installs a package from git (pre-commit does, with `npm install -g git+file://…`) by
// running `prepare` in a clone; under -g it does not install the devDependencies the build
// needs there first (npm/cli#8440). Install them into the clone when they are missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.bin/tsc')) {
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--include=dev',
      '--global=false',
      '--prefix',
      '.',
    ],
    { stdio: 'inherit' },
  );
}
