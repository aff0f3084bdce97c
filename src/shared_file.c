/*
 * shared_file.c — how tmac's shared-memory tables outlive a restart: one file
 * format, one way to write it, one way to read it, one set of messages.
 *
 * The login gate (login_gate.c) and the access statistics (access_stats.c)
 * each keep a table in shared memory that must survive a restart: the gate
 * because a restart must not open it, the statistics because they are
 * evidence.  Both write the same format: a header (magic and version), the
 * records, and a CRC-32C of everything before it; to PATH.tmp first, synced
 * and moved over PATH with durable_rename, so a crash leaves the old file or
 * the new one, never half of one.  A file that fails its CRC, or has another
 * magic or an unknown version, is ignored with one WARNING saying what to do;
 * a missing file is an empty table.  Writing never raises: the gate writes in
 * its commit and abort callbacks, the statistics at shutdown.
 *
 * What stays each table's own is what it does when full: the gate may never
 * drop an entry, so it grows into dynamic shared memory; the statistics may,
 * so they keep a fixed table and count what they could not keep (the
 * overflow record).
 */
#include "postgres.h"
#include "message_catalog.h"

#include <fcntl.h>
#include <unistd.h>

#include "storage/fd.h"

#include "shared_file.h"

void
tmac_file_write_begin(TmacFileWriter *w, const char *path, const char *what,
					  uint32 magic, uint32 version)
{
	TmacFileHeader hdr;

	w->path = path;
	w->what = what;
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", path);
	INIT_CRC32C(w->crc);
	w->fd = BasicOpenFile(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	w->ok = w->fd >= 0;
	if (!w->ok)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("tmac: could not create file \"%s\" of the %s: %m", w->tmp, tmac_translate(what))));
		return;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = magic;
	hdr.version = version;
	tmac_file_write(w, &hdr, sizeof(hdr));
}

void
tmac_file_write(TmacFileWriter *w, const void *data, Size len)
{
	if (!w->ok || len == 0)
		return;
	COMP_CRC32C(w->crc, data, len);
	errno = 0;
	if (write(w->fd, data, len) != (ssize_t) len)
	{
		if (errno == 0)
			errno = ENOSPC;
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("tmac: could not write file \"%s\" of the %s: %m", w->tmp, tmac_translate(w->what))));
		w->ok = false;
	}
}

/* Finish: the CRC, close, move into place.  True when the new file is in place. */
bool
tmac_file_write_end(TmacFileWriter *w)
{
	pg_crc32c	crc;

	if (w->fd < 0)
		return false;
	crc = w->crc;
	FIN_CRC32C(crc);
	tmac_file_write(w, &crc, sizeof(crc));	/* (it folds the CRC into w->crc too: no longer used) */
	if (close(w->fd) != 0)
		w->ok = false;
	w->fd = -1;
	if (w->ok && durable_rename(w->tmp, w->path, WARNING) == 0)
		return true;
	(void) unlink(w->tmp);
	return false;
}

bool
tmac_file_read_begin(TmacFileReader *r, const char *path, const char *what,
					 uint32 magic, uint32 min_version, uint32 max_version)
{
	TmacFileHeader hdr;

	r->path = path;
	r->what = what;
	r->ok = true;
	r->version = 0;
	INIT_CRC32C(r->crc);
	r->fd = BasicOpenFile(path, O_RDONLY | PG_BINARY);
	if (r->fd < 0)
	{
		if (errno != ENOENT)
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("tmac: could not open file \"%s\" of the %s: %m", path, tmac_translate(what))));
		return false;
	}
	if (!tmac_file_read(r, &hdr, sizeof(hdr)) || hdr.magic != magic ||
		hdr.version < min_version || hdr.version > max_version)
		r->ok = false;
	else
		r->version = hdr.version;
	return true;
}

bool
tmac_file_read(TmacFileReader *r, void *data, Size len)
{
	if (!r->ok)
		return false;
	if (len > 0 && read(r->fd, data, len) != (ssize_t) len)
		return r->ok = false;
	COMP_CRC32C(r->crc, data, len);
	return true;
}

/* Close; true when every read succeeded and the CRC (if the version has one) matches. */
bool
tmac_file_read_end(TmacFileReader *r, uint32 crc_since, const char *remedy)
{
	if (r->fd < 0)
		return false;
	if (r->ok && r->version >= crc_since)
	{
		pg_crc32c	crc = r->crc;
		pg_crc32c	stored;

		FIN_CRC32C(crc);
		if (read(r->fd, &stored, sizeof(stored)) != sizeof(stored) || !EQ_CRC32C(crc, stored))
			r->ok = false;
	}
	close(r->fd);
	r->fd = -1;
	if (!r->ok)
		ereport(WARNING,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("tmac: ignoring the damaged file \"%s\" of the %s", r->path, tmac_translate(r->what)),
				 remedy ? errhint("%s", remedy) : 0));
	return r->ok;
}
