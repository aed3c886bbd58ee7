/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpci access: scan, read-only config reads, OS properties. The only file that includes pci.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "access.h"
#include "device.h"
#include "dumpread.h"
#include "util.h"

struct pl_access {
	struct pci_access *pacc;
	char sysfs_base[PATH_MAX - 256];      /* .../bus/pci, sysfs modes only */
	bool names;
	bool drivers_at_scan;           /* the default selection needs every function's driver */
	int copy_fd;                    /* a dump from stdin or a pipe, kept in a memfd; -1 */
	char copy_path[32];
	struct pl_dump dump;            /* a dump read by dumpread.c, backing shells' caches */
	struct pci_dev *shells;         /* its functions as libpci devices, for filters and names */
};

/* libpci's callbacks carry no context and its error callback must not return: jump back. */
static jmp_buf *err_jmp;
static char err_msg[512];
static struct pl_system *warn_sys;
static struct pl_dev *warn_dev;         /* the function being read, for libpci's warnings */

static void on_error(char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void on_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	err_msg[strcspn(err_msg, "\n")] = 0;   /* some of libpci's messages end in one */
	if (err_jmp)
		longjmp(*err_jmp, 1);
	/* unreachable in practice: every libpci call below runs under a jump buffer */
	abort();
}

static bool last_is(const struct pl_diag *g, const char *msg)
{
	const struct pl_diag *last = NULL;

	for (; g; g = g->next)
		last = g;
	return last && !strcmp(last->msg, msg);
}

static void on_warning(char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void on_warning(char *fmt, ...)
{
	char buf[512];
	va_list ap;

	strcpy(buf, "libpci: ");
	va_start(ap, fmt);
	vsnprintf(buf + 8, sizeof(buf) - 8, fmt, ap);
	va_end(ap);
	/* libpci repeats itself on every retry: keep one copy, on the function when known */
	if (warn_dev && !last_is(warn_dev->diags, buf))
		pl_dev_diag(warn_dev, "%s", buf);
	else if (!warn_dev && warn_sys && !last_is(warn_sys->diags, buf))
		pl_sys_diag(warn_sys, "%s", buf);
}

static void on_debug(char *fmt, ...)
{
	(void)fmt;
}

static char *xstrdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Read a small sysfs attribute; NULL when absent, unreadable or not a regular file (a FIFO
 * in a --sysfs tree would block forever). */
static char *read_attr(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[128];
	struct stat st;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return strdup(buf);
}

/* What libpci's sysfs method opens in a function's directory: each must be a regular file. */
static const char *const libpci_files[] = {
	"config", "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device",
	"irq", "resource", "label", "numa_node",
};

/* A file that is there but not a regular one (FIFO, device, directory): its type, else NULL. */
static const char *not_regular(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, 0))
		return NULL;    /* absent or unreadable: libpci reports those itself */
	if (S_ISREG(st.st_mode))
		return NULL;
	return S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory"
	       : S_ISSOCK(st.st_mode) ? "a socket" : "a device node";
}

/*
 * A --sysfs tree is input: libpci would block forever opening a FIFO named config, or read
 * a device node. Check what it will open before it does (live /sys is the kernel's).
 */
static int check_tree(const char *base, char *err, size_t errlen)
{
	char path[PATH_MAX], ex[PL_EXCERPT_SIZE];
	struct dirent *e;
	DIR *dir;
	int rc = PL_OK;

	snprintf(path, sizeof(path), "%s/devices", base);
	dir = opendir(path);
	while (dir && !rc && (e = readdir(dir))) {
		int fd = e->d_name[0] == '.' ? -1 : openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		for (size_t i = 0; fd >= 0 && !rc && i < sizeof(libpci_files) / sizeof(*libpci_files); i++) {
			const char *what = not_regular(fd, libpci_files[i]);

			if (what) {
				snprintf(err, errlen, "%s/%s/%s: %s, not a regular file: not a sysfs tree", path,
					 pl_excerpt(ex, sizeof(ex), e->d_name), libpci_files[i], what);
				rc = PL_EINVAL;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	if (dir)
		closedir(dir);
	return rc;
}

static void dev_dir(const struct pl_access *acc, const struct pl_dev *d, char *buf, size_t len)
{
	char b[16];

	snprintf(buf, len, "%s/devices/%s", acc->sysfs_base, pl_bdf_fmt(&d->bdf, b, sizeof(b)));
}

/* The parent is the directory above the device in the kernel's device tree. */
static void sysfs_parent(struct pl_system *sys, struct pl_dev *d)
{
	char path[PATH_MAX], link[PATH_MAX], *slash, *name;
	struct pl_bdf pb;
	ssize_t n;

	dev_dir(sys->acc, d, path, sizeof(path));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	slash = strrchr(link, '/');
	if (!slash)
		return;
	*slash = 0;
	name = strrchr(link, '/');
	name = name ? name + 1 : link;
	d->parent_known = true;
	if (pl_bdf_parse(name, &pb) == PL_OK && strlen(name) == 12) {
		d->parent = pl_system_find(sys, &pb);
		if (!d->parent)
			pl_dev_diag(d, "parent %s in sysfs is not a listed PCI function", name);
	}
}

/* The last path element of the symlink DIR/NAME ("vfio-pci" for driver), or NULL. One
 * readlink: libpci's string properties resolve the whole path component by component. */
static char *link_name(const char *dir, const char *name)
{
	char path[PATH_MAX + 32], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL;
	link[n] = 0;
	base = strrchr(link, '/');
	return strdup(base ? base + 1 : link);
}

static void sysfs_physfn(struct pl_system *sys, struct pl_dev *d, const char *dir)
{
	char *name = link_name(dir, "physfn");

	if (!name)
		return;
	if (pl_bdf_parse(name, &d->physfn) == PL_OK) {
		d->physfn_known = true;
		d->physfn_dev = pl_system_find(sys, &d->physfn);
	} else {
		char ex[PL_EXCERPT_SIZE];

		pl_dev_diag(d, "physfn link points to '%s', which is not a PCI slot", pl_excerpt(ex, sizeof(ex), name));
	}
	free(name);
}

static void read_config(struct pl_dev *d, struct pci_dev *p)
{
	unsigned len = 0;

	/* a dump read by dumpread.c: what libpci's reads would return, a dword at a time */
	if (p->cache) {
		d->cfg.len = (uint16_t)(p->cache_len & ~3);
		memcpy(d->cfg.bytes, p->cache, d->cfg.len);
		return;
	}
	/* root reads 256 bytes at once; a non-root reader gets the 64-byte header, a dump what it
	 * holds: find the readable prefix in dwords, never taking libpci's all-ones as data */
	if (pci_read_block(p, 0, d->cfg.bytes, PL_CFG_SIZE)) {
		d->cfg.len = PL_CFG_SIZE;
		return;
	}
	if (pci_read_block(p, 0, d->cfg.bytes, 64))
		len = 64;
	while (len < PL_CFG_SIZE && pci_read_block(p, len, d->cfg.bytes + len, 4))
		len += 4;
	d->cfg.len = len;
}

int pl_system_load(struct pl_system *sys, struct pl_dev *d)
{
	struct pl_access *acc = sys->acc;
	struct pci_dev *p = d->priv;
	jmp_buf jb;
	char dir[PATH_MAX], buf[256];

	if (d->cfg_loaded)
		return PL_OK;
	d->cfg_loaded = true;
	if (!acc || !p)
		return PL_ENOENT;
	err_jmp = &jb;
	warn_sys = sys;
	if (setjmp(jb)) {
		err_jmp = NULL;
		warn_dev = NULL;
		pl_dev_diag(d, "libpci: %s", err_msg);
		return PL_EACCES;
	}
	warn_dev = d;
	read_config(d, p);
	warn_dev = NULL;
	if (sys->kind != PL_SOURCE_DUMP) {
		dev_dir(acc, d, dir, sizeof(dir));
		d->iommu_group = link_name(dir, "iommu_group");
		if (!acc->drivers_at_scan)
			d->driver = link_name(dir, "driver");
		sysfs_physfn(sys, d, dir);
		/* the kernel's -1 (the platform names no node) stays unknown */
		if ((pci_fill_info(p, PCI_FILL_NUMA_NODE) & PCI_FILL_NUMA_NODE) && p->numa_node >= 0)
			d->numa_node = p->numa_node;
		if (d->cfg.len < PL_CFG_SIZE) {
			d->sys_max_speed = read_attr(dir, "max_link_speed");
			d->sys_max_width = read_attr(dir, "max_link_width");
			d->sys_cur_speed = read_attr(dir, "current_link_speed");
			d->sys_cur_width = read_attr(dir, "current_link_width");
		}
	}
	if (acc->names) {
		if (pci_lookup_name(acc->pacc, buf, sizeof(buf), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS,
				    d->vendor))
			d->vendor_name = strdup(buf);
		if (pci_lookup_name(acc->pacc, buf, sizeof(buf), PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
				    d->vendor, d->device))
			d->device_name = strdup(buf);
	}
	err_jmp = NULL;
	pl_dev_decode(sys, d);
	return PL_OK;
}

/* "#" is a hex digit: lib/dump.c's dump_validate() */
static bool shape(const char *s, const char *pat)
{
	for (; *pat; s++, pat++)
		if (*pat == '#' ? !isxdigit((unsigned char)*s) : *s != *pat)
			return false;
	return true;
}

/*
 * Walk a dump with the rules of libpci's reader (lib/dump.c). libpci 3.9 takes a data line's
 * offset as a signed int, so "f0000000: ..." writes before its buffer and crashes (lspci -F
 * too): such offsets are refused here before libpci sees the file (strict). After libpci
 * failed, the same walk finds the line it stopped at (all rules). Returns the line, 0 if none.
 */
static unsigned dump_check(const char *path, bool strict, char *why, size_t whylen)
{
	FILE *f = fopen(path, "re");
	char line[512];
	unsigned no = 0, found = 0;
	bool in_dev = false;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line), digits;
		unsigned long off;

		no++;
		if (!len || line[len - 1] != '\n' || len - 1 > 253) {
			found = strict ? 0 : no;
			if (strict)
				break;
			snprintf(why, whylen, "line too long or unterminated");
			break;
		}
		line[--len] = 0;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (!len) {
			in_dev = false;
			continue;
		}
		if (shape(line, "##:##.# ") || shape(line, "####:##:##.# ") || shape(line, "#####:##:##.# ")) {
			in_dev = true;
			continue;
		}
		digits = strspn(line, "0123456789abcdefABCDEF");
		if (!in_dev || digits < 2 || digits > 8 || line[digits] != ':' || line[digits + 1] != ' ')
			continue;
		off = strtoul(line, NULL, 16);
		if (off >= 4096) {
			snprintf(why, whylen, "offset 0x%lx is beyond the 4096 bytes of config space", off);
			found = no;
			break;
		}
		if (strict)
			continue;
		for (const char *z = line + digits + 2; *z; z += 3, off++) {
			if (!isxdigit((unsigned char)z[0]) || !isxdigit((unsigned char)z[1]) || (z[2] && z[2] != ' ') ||
			    off >= 4096) {
				found = no;
				break;
			}
			if (!z[2])
				break;
		}
	}
	fclose(f);
	return found;
}

/* Dumps are read whole into memory: a few kB a function (lspci -xxxx), so this caps a host at
 * some 20,000 functions and stops /dev/zero or an endless pipe. Said in the man page. */
#define DUMP_MAX ((size_t)256 << 20)
#define DUMP_MAX_TEXT "256 MiB"

/* libpci reads a dump by name: hand it the very bytes we read, in a memfd. */
static int copy_for_libpci(struct pl_access *acc, const char *text, size_t len)
{
	acc->copy_fd = memfd_create("pcilink-dump", MFD_CLOEXEC);
	if (acc->copy_fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(acc->copy_fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	snprintf(acc->copy_path, sizeof(acc->copy_path), "/proc/self/fd/%d", acc->copy_fd);
	return 0;
}

/*
 * Read a dump ("-" = stdin) once, whole, with read(): never mapped, so a file that shrinks
 * meanwhile cannot kill us, and a pipe is read once. dumpread.c parses it into acc->dump:
 * 0. 1: libpci must read it (deferred, or PCILINK_DUMP_READER=libpci); *name is then a copy
 * of the bytes. A PL_E* code with the message in err when it cannot be read.
 */
static int read_dump(struct pl_access *acc, const char *path, const char **name, char *err, size_t errlen)
{
	const char *env = getenv("PCILINK_DUMP_READER"), *why = NULL;
	bool in = !strcmp(path, "-");
	int fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), rc, e;
	char *text;
	size_t len;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? PL_ENOENT : PL_EACCES;
	}
	rc = pl_read_all(fd, DUMP_MAX, &text, &len);
	e = errno;
	if (!in)
		close(fd);
	if (rc && e == EFBIG) {
		snprintf(err, errlen, "%s: more than " DUMP_MAX_TEXT ": not an lspci dump", path);
		return PL_EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "%s: cannot read%s: %s", path, in ? " standard input" : "", strerror(e));
		return e == ENOMEM ? PL_ENOMEM : PL_EACCES;
	}
	rc = env && !strcmp(env, "libpci") ? PL_DUMP_DEFER : pl_dump_parse(text, len, &acc->dump, &why);
	if (rc == PL_DUMP_DEFER) {
		if (copy_for_libpci(acc, text, len)) {
			snprintf(err, errlen, "%s: cannot keep a copy: %s", path, strerror(errno));
			rc = PL_EACCES;
		}
		*name = acc->copy_path;
	} else if (rc == PL_ENOMEM) {
		snprintf(err, errlen, "out of memory");
	}
	free(text);
	return rc;
}

/* The dump's functions as libpci devices that read from their cache, listed as libpci lists. */
static void make_shells(struct pl_access *acc)
{
	for (size_t i = 0; i < acc->dump.n; i++) {
		struct pl_dump_fn *f = &acc->dump.fns[i];
		struct pci_dev *p = pci_get_dev(acc->pacc, (int)f->bdf.domain, f->bdf.bus, f->bdf.dev, f->bdf.fn);

		pci_setup_cache(p, f->bytes, f->len < PL_CFG_SIZE ? (int)f->len : PL_CFG_SIZE);
		p->next = acc->shells;
		acc->shells = p;
	}
}

static int scan(struct pl_system *sys, char *err, size_t errlen)
{
	struct pl_access *acc = sys->acc;
	char dir[PATH_MAX];

	struct pci_dev *first = acc->shells ? acc->shells : acc->pacc->devices, **list;
	size_t n = 0;

	/* libpci (and make_shells) list a dump's functions last first: add them in file order,
	 * so that a slot listed twice keeps its first block (pl_system_index) */
	for (struct pci_dev *p = first; p; p = p->next)
		n++;
	list = malloc((n ? n : 1) * sizeof(*list));
	if (!list) {
		snprintf(err, errlen, "out of memory");
		return PL_ENOMEM;
	}
	n = 0;
	for (struct pci_dev *p = first; p; p = p->next)
		list[n++] = p;
	while (n--) {
		struct pci_dev *p = list[n];
		struct pl_bdf b = { .domain = (uint32_t)p->domain, .bus = p->bus, .dev = p->dev, .fn = p->func };
		struct pl_dev *d = pl_dev_new(&b);

		if (!d || pl_system_add(sys, d)) {
			free(d);
			free(list);
			snprintf(err, errlen, "out of memory");
			return PL_ENOMEM;
		}
		d->priv = p;
	}
	free(list);
	/* libpci's errors longjmp out of pci_fill_info: nothing of ours may be in flight here */
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];
		struct pci_dev *p = d->priv;

		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		d->vendor = p->vendor_id;
		d->device = p->device_id;
		d->class_code = (uint32_t)p->device_class << 8;
	}
	if (pl_system_index(sys))
		return PL_ENOMEM;
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];

		if (sys->kind == PL_SOURCE_DUMP) {
			/* everything is in memory already: decode now */
			pl_system_load(sys, d);
			continue;
		}
		/* cheap facts needed to select and place every function, without reading config */
		dev_dir(acc, d, dir, sizeof(dir));
		if (acc->drivers_at_scan)
			d->driver = link_name(dir, "driver");
		sysfs_parent(sys, d);
	}
	return PL_OK;
}

int pl_access_open(const struct pl_access_opts *o, struct pl_system **out, char *err, size_t errlen)
{
	struct pl_system *sys = pl_system_new();
	struct pl_access *acc = calloc(1, sizeof(*acc));
	const char *volatile name = NULL;
	volatile bool native = false, loading_ids = false;
	jmp_buf jb;
	int rc;

	*out = NULL;
	if (!sys || !acc) {
		free(acc);
		pl_system_free(sys);
		snprintf(err, errlen, "out of memory");
		return PL_ENOMEM;
	}
	sys->acc = acc;
	sys->kind = o->kind;
	sys->source_path = xstrdup_or_null(o->path);
	acc->names = o->names;
	acc->drivers_at_scan = o->drivers_at_scan;
	acc->copy_fd = -1;
	if (o->kind == PL_SOURCE_DUMP) {
		const char *copy = NULL;
		char why[128];
		unsigned line;

		rc = read_dump(acc, o->path, &copy, err, errlen);
		name = copy;
		if (rc < 0)
			goto fail;
		native = rc == 0;
		line = native ? 0 : dump_check(name, true, why, sizeof(why));
		if (line) {
			snprintf(err, errlen, "%s:%u: dump: %s", o->path, line, why);
			rc = PL_EINVAL;
			goto fail;
		}
	} else {
		snprintf(acc->sysfs_base, sizeof(acc->sysfs_base), "%s/bus/pci",
			 o->kind == PL_SOURCE_SYSFS ? o->path : "/sys");
		if (access(acc->sysfs_base, R_OK | X_OK)) {
			snprintf(err, errlen, "%s: %s", acc->sysfs_base, strerror(errno));
			rc = errno == ENOENT ? PL_ENOENT : PL_EACCES;
			goto fail;
		}
		if (o->kind == PL_SOURCE_SYSFS && (rc = check_tree(acc->sysfs_base, err, errlen)))
			goto fail;
	}
	acc->pacc = pci_alloc();
	acc->pacc->error = on_error;
	acc->pacc->warning = on_warning;
	acc->pacc->debug = on_debug;
	acc->pacc->writeable = 0;
	err_jmp = &jb;
	warn_sys = sys;
	if (setjmp(jb)) {
		char why[128];
		/* libpci read the dump itself (not a native one, name NULL) and stopped in it */
		unsigned line = o->kind == PL_SOURCE_DUMP && name && !loading_ids ?
				dump_check(name, false, why, sizeof(why)) : 0;

		err_jmp = NULL;
		if (loading_ids)
			snprintf(err, errlen, "%s: not a pci.ids name list (-i): %s", o->ids_file, err_msg);
		else if (line)
			snprintf(err, errlen, "%s:%u: %s", o->path, line, err_msg);
		else if (o->kind == PL_SOURCE_DUMP)
			snprintf(err, errlen, "%s: %s", o->path, err_msg);
		else
			snprintf(err, errlen, "libpci: %s (an incomplete sysfs tree?)", err_msg);
		rc = PL_EINVAL;
		goto fail;
	}
	if (o->kind == PL_SOURCE_DUMP) {
		acc->pacc->method = PCI_ACCESS_DUMP;
		/* read already: libpci gets an empty dump, then our functions as cached devices */
		pci_set_param(acc->pacc, "dump.name", native ? "/dev/null" : (char *)name);
	} else {
		acc->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(acc->pacc, "sysfs.path", acc->sysfs_base);
	}
	if (o->ids_file) {
		pci_set_name_list_path(acc->pacc, (char *)o->ids_file, 0);
		acc->pacc->id_lookup_mode |= PCI_LOOKUP_NO_HWDB;
	}
	pci_init(acc->pacc);
	/* a name list asked for by name is read now: libpci would quietly print numbers instead */
	if (o->ids_file && o->names) {
		const char *what = not_regular(AT_FDCWD, o->ids_file);

		if (what) {     /* libpci would block on a FIFO */
			snprintf(err, errlen, "%s: %s, not a pci.ids name list (-i)", o->ids_file, what);
			rc = PL_EINVAL;
			err_jmp = NULL;
			goto fail;
		}
		loading_ids = true;
		errno = 0;
		if (!pci_load_name_list(acc->pacc)) {
			int e = errno ? errno : EIO;

			snprintf(err, errlen, "%s: cannot read this name list (-i): %s", o->ids_file, strerror(e));
			rc = e == ENOENT ? PL_ENOENT : PL_EACCES;
			err_jmp = NULL;
			goto fail;
		}
		loading_ids = false;
	}
	pci_scan_bus(acc->pacc);
	if (native)
		make_shells(acc);
	rc = scan(sys, err, errlen);
	err_jmp = NULL;
	if (rc)
		goto fail;
	*out = sys;
	return PL_OK;
fail:
	pl_access_close(sys);
	pl_system_free(sys);
	return rc;
}

void pl_access_close(struct pl_system *sys)
{
	struct pl_access *acc = sys->acc;
	jmp_buf jb;

	if (!acc)
		return;
	for (size_t i = 0; i < sys->ndev; i++)
		sys->devs[i]->priv = NULL;
	while (acc->shells) {
		struct pci_dev *p = acc->shells;

		acc->shells = p->next;
		pci_free_dev(p);
	}
	pl_dump_free(&acc->dump);
	if (acc->pacc) {
		err_jmp = &jb;
		if (!setjmp(jb))
			pci_cleanup(acc->pacc);
		err_jmp = NULL;
	}
	if (acc->copy_fd >= 0)
		close(acc->copy_fd);
	free(acc);
	sys->acc = NULL;
	warn_sys = NULL;
}

static int make_filter(struct pl_system *sys, struct pci_filter *f, const char *slot, const char *id, char *err,
		       size_t errlen)
{
	char buf[64], *msg;

	pci_filter_init(sys->acc->pacc, f);
	for (int i = 0; i < 2; i++) {
		const char *s = i ? id : slot;

		if (!s)
			continue;
		if (strlen(s) >= sizeof(buf)) {
			snprintf(err, errlen, "selector too long");
			return PL_EINVAL;
		}
		strcpy(buf, s);
		msg = i ? pci_filter_parse_id(f, buf) : pci_filter_parse_slot(f, buf);
		if (msg) {
			snprintf(err, errlen, "%s", msg);
			return PL_EINVAL;
		}
	}
	return PL_OK;
}

int pl_access_select(struct pl_system *sys, const char *slot, const char *id, char *err, size_t errlen)
{
	struct pci_filter f;
	int n = 0;

	if (!sys->acc || make_filter(sys, &f, slot, id, err, errlen))
		return PL_EINVAL;
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];

		if (d->priv && pci_filter_match(&f, d->priv)) {
			d->selected = true;
			n++;
		}
	}
	return n;
}

int pl_access_matches(struct pl_system *sys, struct pl_dev *d, const char *slot, const char *id, char *err,
		      size_t errlen)
{
	struct pci_filter f;

	if (!sys->acc || !d->priv || make_filter(sys, &f, slot, id, err, errlen))
		return PL_EINVAL;
	return pci_filter_match(&f, d->priv) ? 1 : 0;
}
