/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replay main for fuzz targets built without libFuzzer: run every file named (or in a folder). */
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *dir;
		struct dirent *e;
		char p[4096];

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]);
			files++;
			continue;
		}
		dir = opendir(argv[i]);
		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			bad += replay_file(p);
			files++;
		}
		if (dir)
			closedir(dir);
	}
	/* reaching here means no crash, no sanitizer report, no hang */
	printf("%d passed, %d failed\n", files - bad, bad);
	return bad != 0;
}
