/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one data model: a host's PCI functions, their decoded PCIe facts and link analysis. */
#ifndef PL_MODEL_H
#define PL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Config bytes kept per function: the PCI Express capability lives in the first 256. */
#define PL_CFG_SIZE 256

/* Status codes of the core; the CLI maps them to exit codes. */
enum pl_err {
	PL_OK = 0,
	PL_ENOMEM = -1,
	PL_EINVAL = -2,   /* malformed input */
	PL_ENOENT = -3,   /* no such device or file */
	PL_EACCES = -4,   /* unreadable */
	PL_ERANGE = -5,   /* pointer or value out of range */
};

struct pl_bdf {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

/* Raw config space: bytes[0..len) were readable, the rest is unknown (never all-ones data). */
struct pl_cfg {
	uint8_t bytes[PL_CFG_SIZE];
	uint16_t len;
};

/* Port types, numbered as the PCIe Device/Port Type field (PCI_EXP_TYPE_*). */
enum pl_port_type {
	PL_TYPE_ENDPOINT = 0x0,
	PL_TYPE_LEG_END = 0x1,
	PL_TYPE_ROOT_PORT = 0x4,
	PL_TYPE_UPSTREAM = 0x5,
	PL_TYPE_DOWNSTREAM = 0x6,
	PL_TYPE_PCIE_PCI = 0x7,
	PL_TYPE_PCI_PCIE = 0x8,
	PL_TYPE_RC_END = 0x9,
	PL_TYPE_RC_EC = 0xa,
};

/* Link speeds as the spec's encoded values (LNKCAP SLS / LNKSTA CLS); 0 = unknown. */
enum pl_speed {
	PL_SPEED_UNKNOWN = 0,
	PL_SPEED_2_5 = 1,
	PL_SPEED_5 = 2,
	PL_SPEED_8 = 3,
	PL_SPEED_16 = 4,
	PL_SPEED_32 = 5,
	PL_SPEED_64 = 6,
	PL_SPEED_MAX = PL_SPEED_64,
};

#define PL_WIDTH_UNKNOWN (-1)

/* Link facts of one function. Speeds are enum pl_speed, widths lanes or PL_WIDTH_UNKNOWN. */
struct pl_link {
	int max_speed, max_width;       /* the kernel's (pcie_get_speed_cap, Linux 6.13+) */
	int cap_speed;          /* LNKCAP Max Link Speed as lspci prints it; 0 reserved or unknown */
	int speed, width;       /* current (LNKSTA); width 0 means the link is down */
	uint8_t supported;      /* LNKCAP2 speed vector, bit (code-1); 0 = none or unknown */
	uint8_t ignored;        /* speeds of that vector above Max Link Speed: Linux 6.13+ drops them */
	bool supported_known;
	int target_speed;       /* LNKCTL2 target link speed */
	int port;               /* LNKCAP port number, -1 unknown */
};

/* Where the PCIe facts came from. */
enum pl_pcie_src {
	PL_SRC_CONFIG,  /* decoded from config space */
	PL_SRC_SYSFS,   /* config unreadable (not root): kernel's link attributes, type inferred */
};

struct pl_pcie {
	enum pl_pcie_src src;
	uint8_t cap_off;
	int version;            /* capability version, -1 unknown */
	int type;               /* enum pl_port_type, -1 unknown */
	bool has_link;          /* the type has link registers and they were read */
	struct pl_link link;
	bool lnkcap2_read;      /* LNKCAP2/LNKCTL2 were readable (v2 capability) */
	uint32_t lnkcap, lnkcap2;
	uint16_t lnksta, lnkctl2;
	bool dev2_known;        /* DEVCAP2/DEVCTL2 readable (v2 capability, config readable) */
	uint32_t devcap2;
	uint16_t devctl2;
};

/* A diagnostic about one function or the whole system (decode problems, anomalies). */
struct pl_diag {
	struct pl_diag *next;
	char msg[];
};

/* One hop of the path from a device to its root port: the link between port and below. */
struct pl_hop {
	struct pl_dev *port;    /* the downstream port (root or switch downstream port) */
	struct pl_dev *below;   /* the component below it on this link */
	int max_speed, max_width;   /* capability: the lower end of both */
	int speed, width;           /* status: from the LNKSTA of the component below */
	uint32_t cap_mbps, sta_mbps;    /* per-direction Mb/s like the kernel, 0 = unknown */
	bool internal;          /* a link inside the device (its own switch) */
};

enum pl_diagnosis {
	PL_DIAG_NONE,           /* nothing to say: current equals capable */
	PL_DIAG_UNKNOWN,        /* not enough facts */
	PL_DIAG_LINK_DOWN,
	PL_DIAG_SPEED,          /* speed-only reduction: power management */
	PL_DIAG_WIDTH,          /* width reduced: degraded link */
	PL_DIAG_SPEED_WIDTH,
	PL_DIAG_PARTNER,        /* the partner port caps the link below the device */
};

/* Atomic completer widths, in the order of DEVCAP2 bits. */
enum { PL_ATOMIC_32, PL_ATOMIC_64, PL_ATOMIC_128, PL_ATOMIC_N };

struct pl_analysis {
	bool done;
	int nhops;
	struct pl_hop *hops;            /* [0] nearest the device */
	struct pl_dev *root_port;       /* NULL: no root port visible */
	int slot_hop;                   /* index of the device's physical slot link, -1 none */
	int limit_cap_hop;              /* hop with the lowest capability bandwidth, -1 */
	int limit_sta_hop;              /* hop with the lowest status bandwidth, -1 */
	uint32_t dev_capable_mbps;      /* the endpoint's own capability (kernel: bandwidth_capable) */
	uint32_t path_capable_mbps;     /* lowest capability along the path */
	uint32_t available_mbps;        /* lowest status along the path (kernel: bandwidth_available) */
	enum pl_diagnosis diagnosis;
	char diag_text[256];
	bool atomics_known;
	char atomics_unknown[160];      /* why they are not known; "" when known or not PCIe */
	bool host_atomics[PL_ATOMIC_N];
	const char *atomic_why[PL_ATOMIC_N];    /* reason a width fails, static string */
	char atomic_why_buf[PL_ATOMIC_N][128];
	bool rec_ok;
	int rec_speed, rec_width;       /* recommendation (enum pl_speed, lanes) */
	char rec_why[160];              /* why there is none, or the note */
	struct pl_dev *link_dev;        /* function whose link counts (function 0 of a device) */
};

struct pl_dev {
	struct pl_bdf bdf;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class_code;            /* class << 16 | subclass << 8 | progif */
	uint8_t header_type;
	bool cfg_loaded;
	struct pl_cfg cfg;
	bool is_pcie;
	bool caps_broken;               /* the capability walk stopped on malformed data */
	struct pl_pcie pcie;
	/* bridge bus numbers (header type 1), -1 unknown */
	int sec_bus, sub_bus;
	unsigned blocks;                /* > 1: a dump lists this slot that often; its first block is used */
	/* OS properties, NULL when unknown */
	char *driver, *iommu_group, *vendor_name, *device_name;
	bool physfn_known;
	struct pl_bdf physfn;
	int numa_node;                  /* sysfs numa_node or --numa-node; -1 unknown (a dump, or none) */
	/* sysfs link attributes, raw strings, NULL when absent */
	char *sys_max_speed, *sys_max_width, *sys_cur_speed, *sys_cur_width;
	/* topology */
	struct pl_dev *parent;
	bool parent_known;
	struct pl_dev *child, *sibling;
	struct pl_dev *physfn_dev;
	bool selected;
	struct pl_analysis an;
	struct pl_diag *diags, **diag_tail;
	void *priv;                     /* the access back end's handle */
};

enum pl_source_kind { PL_SOURCE_LIVE, PL_SOURCE_SYSFS, PL_SOURCE_DUMP };

struct pl_system {
	enum pl_source_kind kind;
	char *source_path;              /* dump file or sysfs root, NULL when live */
	size_t ndev;
	struct pl_dev **devs;           /* sorted by BDF */
	struct pl_diag *diags, **diag_tail;
	bool config_denied;             /* some config space was limited to the header */
	bool config_short;              /* some function read has less than its 256 config bytes */
	struct pl_access *acc;
	/* BDF lookup table: open addressing */
	size_t hcap;
	struct pl_dev **htab;
};

/* model.c */
int pl_bdf_cmp(const struct pl_bdf *a, const struct pl_bdf *b);
/* Format as DDDD:BB:DD.F into buf (13 bytes at least). */
char *pl_bdf_fmt(const struct pl_bdf *b, char *buf, size_t len);
/* Parse DDDD:BB:DD.F or BB:DD.F strictly; 0 or PL_EINVAL. */
int pl_bdf_parse(const char *s, struct pl_bdf *out);

struct pl_system *pl_system_new(void);
void pl_system_free(struct pl_system *sys);
struct pl_dev *pl_dev_new(const struct pl_bdf *bdf);
/* Add dev (owned by sys after the call). Call pl_system_index() once all are added. */
int pl_system_add(struct pl_system *sys, struct pl_dev *dev);
/* Sort by BDF and build the lookup table. A slot added more than once keeps the first one added
 * (the others are freed, blocks counts them) and is reported once as a diagnostic. */
int pl_system_index(struct pl_system *sys);
struct pl_dev *pl_system_find(const struct pl_system *sys, const struct pl_bdf *bdf);

void pl_diag_add(struct pl_diag **head, struct pl_diag ***tail, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Free a diagnostics list. */
void pl_diag_free(struct pl_diag *g);
#define pl_dev_diag(d, ...) pl_diag_add(&(d)->diags, &(d)->diag_tail, __VA_ARGS__)
#define pl_sys_diag(s, ...) pl_diag_add(&(s)->diags, &(s)->diag_tail, __VA_ARGS__)

/* The one name table per enum, shared by every emitter. */
const char *pl_port_type_name(int type);        /* JSON key words: "root_port", ... */
const char *pl_port_type_label(int type);       /* lspci words: "Root Port", ... */
const char *pl_speed_gts_str(int speed);        /* "2.5", "16", NULL if unknown */
double pl_speed_gts(int speed);                 /* 2.5, 16.0, 0 if unknown */
const char *pl_speed_qemu(int speed);           /* "2_5", "16", NULL */
int pl_speed_from_qemu(const char *s);          /* enum pl_speed or 0 */
/* Mb/s per lane after encoding, as the kernel's PCIE_SPEED2MBS_ENC. */
uint32_t pl_speed_mbps(int speed);
bool pl_width_valid(int width);                 /* 1 2 4 8 12 16 32 */
/* Largest legal width <= w, 0 if none. */
int pl_width_floor(int width);
const char *pl_diagnosis_name(enum pl_diagnosis d);
bool pl_dev_is_bridge(const struct pl_dev *d);
/* The function's own DEVCAP2 completer bit for width i, from decoded registers. */
bool pl_dev_has_completer(const struct pl_dev *d, int i);
extern const char *const pl_atomic_names[PL_ATOMIC_N];      /* "32", "64", "128" */
/*
 * Why d's config space is missing or short, in the words every output uses ("config space of
 * 0000:01:00.0 beyond the header needs root", "the PCI Express capability of ... is not in the
 * input"); "" when all of it was read.
 */
void pl_dev_cfg_gap(const struct pl_system *sys, const struct pl_dev *d, char *buf, size_t len);

#endif
