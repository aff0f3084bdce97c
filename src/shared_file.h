/*
 * shared_file.h — the one file format of tmac's shared-memory tables (see
 * shared_file.c): a header (magic, version), records, and a CRC-32C of both,
 * written to a temporary file and moved into place with durable_rename.
 */
#ifndef TMAC_SHARED_FILE_H
#define TMAC_SHARED_FILE_H

#include "postgres.h"

#include "port/pg_crc32c.h"

typedef struct TmacFileHeader
{
	uint32		magic;			/* which table */
	uint32		version;		/* its record layout */
} TmacFileHeader;

typedef struct TmacFileWriter
{
	const char *path;
	char		tmp[MAXPGPATH];
	const char *what;			/* gettext_noop("login gate"): named in messages, translated */
	int			fd;
	pg_crc32c	crc;
	bool		ok;
} TmacFileWriter;

typedef struct TmacFileReader
{
	const char *path;
	const char *what;
	int			fd;
	pg_crc32c	crc;
	bool		ok;
	uint32		version;		/* found in the file */
} TmacFileReader;

/*
 * Writing never raises (it runs in commit callbacks and at shutdown): a
 * failure is reported at WARNING and leaves the file in place as it was.
 */
extern void tmac_file_write_begin(TmacFileWriter *w, const char *path, const char *what,
								  uint32 magic, uint32 version);
extern void tmac_file_write(TmacFileWriter *w, const void *data, Size len);
extern bool tmac_file_write_end(TmacFileWriter *w);

/*
 * Reading: open returns false, silently, when there is no file; a file of
 * another table or of a version outside [min_version, max_version] is
 * damaged.  read returns false at a short read.  end checks the CRC (files of
 * a version below crc_since have none) and says, at WARNING, that a damaged
 * file is ignored.  Neither raises.
 */
extern bool tmac_file_read_begin(TmacFileReader *r, const char *path, const char *what,
								 uint32 magic, uint32 min_version, uint32 max_version);
extern bool tmac_file_read(TmacFileReader *r, void *data, Size len);
extern bool tmac_file_read_end(TmacFileReader *r, uint32 crc_since, const char *remedy);

#endif							/* TMAC_SHARED_FILE_H */
