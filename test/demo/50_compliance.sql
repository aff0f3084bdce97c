-- 50_compliance.sql — demo: what an auditor sees: compliance per criterion, open findings, the ledger.
SET search_path = public, tmac;
\echo '== 1. The auditor logs in with tmac_auditor: one row per certification criterion'
CREATE ROLE audit_kimura LOGIN IN ROLE tmac_auditor;
SET ROLE audit_kimura;
SELECT criterion, status, reason, population, builtin_evaluated || '/' || builtin_checks AS evaluated, open_findings FROM tmac.compliance_status;
\echo '   Every criterion evaluated: a built-in check of each examined a non-empty population'
SELECT 'criteria evaluated: ' || count(*) FILTER (WHERE status <> 'not_evaluated' AND builtin_evaluated > 0)
       || ' of ' || count(*) AS evaluated
  FROM tmac.compliance_status;

\echo '== 2. The open findings, each with a subject and a sentence to act on, in the language of the reader (lc_messages)'
SELECT criterion, check_code, severity, subject, detail FROM tmac.findings ORDER BY criterion, check_code, subject LIMIT 12;

\echo '== 3. The access-rights ledger (アクセス権者管理簿)'
SELECT full_name, title, access, mode, approved_by_names, valid_until::date, training_status, pledge_status
  FROM tmac.access_rights_ledger ORDER BY full_name, access;

\echo '== 4. The auditor changes nothing'
\set ON_ERROR_STOP 0
SELECT tmac.revoke(1, 'auditor trying');   -- expect-error
\set ON_ERROR_STOP 1
RESET ROLE;
