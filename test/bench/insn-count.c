/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A QEMU TCG plugin for `npm run bench`: counts every instruction the emulated machine executes (all CPUs,
 * all exception levels) and writes the total to the file named by its "out" argument when QEMU exits.
 *
 * With "hv=BYTES", "hvstart=ADDRESS" and "hvout=FILE" it also counts, into FILE, the instructions fetched
 * from the BYTES of memory at physical ADDRESS: the hypervisor's region, whose image hvcc run boots first
 * (guest code lies in other RAM, even where a guest sees it at the same address, so the instructions are
 * told apart by the host address of their bytes). The first block translated is the hypervisor's entry, run
 * with translation off: its address, less the region's start, gives the host address of the region.
 *
 * Built by test/bench/linux.ts against the qemu-plugin.h of Debian's qemu source package.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insns;
static uint64_t hv_insns;
static char out_path[4096];
static char hv_path[4096];
static uint64_t hv_bytes;
static uintptr_t hv_base;
static uint64_t hv_start;
static int hv_based;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, n);
	if (hv_bytes && n) {
		struct qemu_plugin_insn *first = qemu_plugin_tb_get_insn(tb, 0);
		uintptr_t at = (uintptr_t)qemu_plugin_insn_haddr(first);

		if (!hv_based) {
			hv_base = at - (uintptr_t)(qemu_plugin_insn_vaddr(first) - hv_start);
			hv_based = 1;
		}
		if (at - hv_base < hv_bytes)
			qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &hv_insns, n);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	FILE *f = fopen(out_path, "w");

	(void)id;
	(void)p;
	if (f) {
		fprintf(f, "%" PRIu64 "\n", insns);
		fclose(f);
	}
	if (hv_path[0] && (f = fopen(hv_path, "w"))) {
		fprintf(f, "%" PRIu64 "\n", hv_insns);
		fclose(f);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
		else if (!strncmp(argv[i], "hvout=", 6))
			snprintf(hv_path, sizeof(hv_path), "%s", argv[i] + 6);
		else if (!strncmp(argv[i], "hvstart=", 8))
			hv_start = strtoull(argv[i] + 8, NULL, 0);
		else if (!strncmp(argv[i], "hv=", 3))
			hv_bytes = strtoull(argv[i] + 3, NULL, 0);
	if (!out_path[0])
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
