#!/usr/bin/env bash
# install_file_numbers.sh — sql/install/ by concern (issue 19 item 5): every file has a number of
# its own (NN_concern.sql), and no check file sits apart from its register (the old
# NN_checks_<register>.sql files are gone; 74_checks_protection.sql reads the catalogs and
# 87_checks_cross.sql joins registers, so those two stay).  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
echo "1..3"
bad=$(ls sql/install | grep -v '^[0-9][0-9]_[a-z0-9_]*\.sql$')
[ -z "$bad" ] && echo "ok 1 - every install file is NN_concern.sql" || echo "not ok 1 - misnamed: $bad"
dup=$(ls sql/install | cut -c1-2 | uniq -d | tr '\n' ' ')
[ -z "$dup" ] && echo "ok 2 - no two install files share a number" || echo "not ok 2 - numbers used twice: $dup"
apart=$(ls sql/install | grep '_checks_' | grep -v -x -e '74_checks_protection.sql' -e '87_checks_cross.sql')
[ -z "$apart" ] && echo "ok 3 - each register declares its checks in its own file" || echo "not ok 3 - check files apart from their registers: $apart"
[ -z "$bad$dup$apart" ]
