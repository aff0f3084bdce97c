/*
 * owner_scan.h — read the labels of a protected table with tmac's rights,
 * running none of its owner's code.
 *
 * tmac.hidden_rows_for() counts rows past the policies: it must read a table
 * that someone else owns with more rights than its caller.  A query would
 * let that owner's casts, operators, domains, policies, rules and foreign
 * data wrappers run with those rights, so the rows are read here in C: the
 * heap of each table of the tree, the one label column the table's read
 * policy decides on, and only a column of exactly type tmac.label.
 */
#ifndef TMAC_OWNER_SCAN_H
#define TMAC_OWNER_SCAN_H

#include "postgres.h"

#include "label.h"

/* Told the label of each row; rows whose label is NULL are not reported. */
typedef void (*TmacLabelSink) (const TmacLabel *label, void *arg);

/*
 * Every row of the protected table `relid` and of its partitions and
 * inheritance children, at any depth, as a SELECT of the table would read
 * them (the statement's snapshot, AccessShareLock), but past all row
 * policies.  Raises undefined_object when tmac.protected_table does not list
 * the table, wrong_object_type for what is not a table (or a foreign table
 * in its tree), object_not_in_prerequisite_state when its read policy is not
 * tmac's on one column, and datatype_mismatch when that column is not of
 * type tmac.label.
 */
extern void tmac_scan_protected_labels(Oid relid, TmacLabelSink sink, void *arg);

#endif							/* TMAC_OWNER_SCAN_H */
