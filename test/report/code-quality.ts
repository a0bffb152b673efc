// The fields of GitLab's Code Quality report format, all required here as GitLab requires
// them (docs.gitlab.com/ci/testing/code_quality, "Code Quality report format"); others pass through.
import { z } from 'zod';

export const codeQualityReport = z.array(
  z.looseObject({
    description: z.string().min(1),
    check_name: z.string().min(1),
    fingerprint: z.string().min(1),
    severity: z.enum(['info', 'minor', 'major', 'critical', 'blocker']),
    location: z.looseObject({
      path: z.string().min(1),
      lines: z.looseObject({ begin: z.int().min(1) }),
    }),
  }),
);
