/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A QEMU TCG plugin for `npm run bench` (test/bench/exits.ts): the instructions the hypervisor executes per
 * exit, from the exception's entry at its vector table to the `eret` back to the guest, by kind of exit.
 *
 * QEMU 7.2's plugin API cannot read registers or the exception level, so the plugin works from addresses:
 * the hypervisor's code is found by physical address (QEMU's host pointer to the instruction, less the
 * host pointer of the image's entry, which runs first with the MMU off), so a guest's code at the same
 * virtual address is never counted. An exit starts at an instruction in the vector table, ends at `eret`
 * (or at the `stop` function, for an exit that stops its guest and never returns), and its kind is the
 * vector's (synchronous, IRQ) named by the first `mark` function it runs. Arguments:
 *
 *   out=FILE  entry=ADDR  text=LO-HI  vectors=ADDR  mark=ADDR:NAME (repeatable)  stop=ADDR  [trace=TFILE]
 *
 * FILE gets one line per kind: "kind count min median mean max". With trace=, TFILE gets, for each kind,
 * the addresses of the instructions of one of its exits (the 100th, or the last when there are fewer): a
 * line "kind N", then N lines of one hexadecimal address each, for llvm-symbolizer or a disassembly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS	64
#define MAX_MARKS	32
#define MAX_KINDS	64
#define ERET		0xd69f03e0u
#define TRACE_MAX	65536
#define TRACE_NTH	100

static char out_path[4096], trace_path[4096];
static uint64_t entry, text_lo, text_hi, vectors, stop_at;
static intptr_t base;		/* host pointer - physical address, for the image's RAM */
static int have_base;
static struct { uint64_t pa; char name[48]; } marks[MAX_MARKS];
static int n_marks;

struct vcpu {
	int open;
	uint64_t insns;
	int vector;		/* offset of the vector entry / 0x80 */
	int mark;		/* first mark hit, or -1 */
	uint64_t *trace;	/* with trace=: this exit's instruction addresses (insns of them) */
};
static struct vcpu vcpus[MAX_VCPUS];

struct kind {
	char name[64];
	uint64_t *samples;
	size_t n, cap;
	uint64_t *trace;	/* with trace=: one exit's addresses */
	uint64_t trace_n;
};
static struct kind kinds[MAX_KINDS];
static int n_kinds;

static const char *vector_name(int v)
{
	static const char *names[] = { "sync", "irq", "fiq", "serror" };
	return names[v % 4];
}

static void record(struct vcpu *c, const char *how)
{
	char name[64];
	int k;

	snprintf(name, sizeof(name), "%s%s%s%s", c->vector >= 8 ? "" : "el2-", vector_name(c->vector),
		 c->mark >= 0 ? ":" : "", c->mark >= 0 ? marks[c->mark].name : how);
	for (k = 0; k < n_kinds && strcmp(kinds[k].name, name); k++)
		;
	if (k == n_kinds) {
		if (n_kinds == MAX_KINDS)
			return;
		snprintf(kinds[n_kinds++].name, sizeof(kinds[0].name), "%s", name);
	}
	if (kinds[k].n == kinds[k].cap) {
		kinds[k].cap = kinds[k].cap ? 2 * kinds[k].cap : 256;
		kinds[k].samples = realloc(kinds[k].samples, kinds[k].cap * sizeof(uint64_t));
	}
	kinds[k].samples[kinds[k].n++] = c->insns;
	if (c->trace && kinds[k].n <= TRACE_NTH) {
		uint64_t n = c->insns < TRACE_MAX ? c->insns : TRACE_MAX;

		kinds[k].trace = realloc(kinds[k].trace, n * sizeof(uint64_t));
		memcpy(kinds[k].trace, c->trace, n * sizeof(uint64_t));
		kinds[k].trace_n = n;
	}
	c->open = 0;
}

/* One hypervisor instruction executed; `udata` is its physical address. */
static void on_insn(unsigned int cpu, void *udata)
{
	uint64_t pa = (uint64_t)(uintptr_t)udata;
	struct vcpu *c = &vcpus[cpu % MAX_VCPUS];

	/* Slots 0-3 (SP_EL0) are never taken: they hold the boot code (runtime/arch/aarch64/vectors.S). */
	if (pa >= vectors + 0x200 && pa < vectors + 0x800 && (pa & 0x7f) == 0) {
		int v = (int)((pa - vectors) / 0x80);

		if (!c->open) {
			c->open = 1;
			c->insns = 0;
			c->vector = v;
			c->mark = -1;
		}
		/* an exception taken at EL2 inside an exit (v < 8) is part of that exit */
	}
	if (!c->open)
		return;
	if (trace_path[0]) {
		if (!c->trace)
			c->trace = malloc(TRACE_MAX * sizeof(uint64_t));
		if (c->insns < TRACE_MAX)
			c->trace[c->insns] = pa;
	}
	c->insns++;
	if (c->mark < 0)
		for (int i = 0; i < n_marks; i++)
			if (marks[i].pa == pa)
				c->mark = i;
	if (stop_at && pa == stop_at)
		record(c, "");
}

static void on_eret(unsigned int cpu, void *udata)
{
	struct vcpu *c = &vcpus[cpu % MAX_VCPUS];

	(void)udata;
	if (c->open)
		record(c, "");
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		intptr_t host = (intptr_t)qemu_plugin_insn_haddr(insn);
		uint64_t pa;
		uint32_t word = 0;

		if (!have_base) {
			if (qemu_plugin_insn_vaddr(insn) != entry || !host)
				continue;
			base = host - (intptr_t)entry;
			have_base = 1;
		}
		if (!host)
			continue;
		pa = (uint64_t)(host - base);
		if (pa < text_lo || pa >= text_hi)
			continue;
		qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)pa);
		if (qemu_plugin_insn_size(insn) == 4)
			memcpy(&word, qemu_plugin_insn_data(insn), 4);
		if (word == ERET)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_eret, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	FILE *f = fopen(out_path, "w");

	(void)id;
	(void)p;
	if (!f)
		return;
	for (int k = 0; k < n_kinds; k++) {
		struct kind *kd = &kinds[k];
		uint64_t sum = 0;

		qsort(kd->samples, kd->n, sizeof(uint64_t), cmp);
		for (size_t i = 0; i < kd->n; i++)
			sum += kd->samples[i];
		fprintf(f, "%s %zu %" PRIu64 " %" PRIu64 " %.1f %" PRIu64 "\n", kd->name, kd->n, kd->samples[0],
			kd->samples[kd->n / 2], (double)sum / (double)kd->n, kd->samples[kd->n - 1]);
	}
	fclose(f);
	if (!trace_path[0] || !(f = fopen(trace_path, "w")))
		return;
	for (int k = 0; k < n_kinds; k++) {
		fprintf(f, "%s %" PRIu64 "\n", kinds[k].name, kinds[k].trace_n);
		for (uint64_t i = 0; i < kinds[k].trace_n; i++)
			fprintf(f, "0x%" PRIx64 "\n", kinds[k].trace[i]);
	}
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "out=", 4))
			snprintf(out_path, sizeof(out_path), "%s", a + 4);
		else if (!strncmp(a, "trace=", 6))
			snprintf(trace_path, sizeof(trace_path), "%s", a + 6);
		else if (!strncmp(a, "entry=", 6))
			entry = strtoull(a + 6, NULL, 0);
		else if (!strncmp(a, "vectors=", 8))
			vectors = strtoull(a + 8, NULL, 0);
		else if (!strncmp(a, "stop=", 5))
			stop_at = strtoull(a + 5, NULL, 0);
		else if (!strncmp(a, "text=", 5)) {
			char *end;

			text_lo = strtoull(a + 5, &end, 0);
			text_hi = *end == '-' ? strtoull(end + 1, NULL, 0) : 0;
		} else if (!strncmp(a, "mark=", 5) && n_marks < MAX_MARKS) {
			char *end;

			marks[n_marks].pa = strtoull(a + 5, &end, 0);
			snprintf(marks[n_marks].name, sizeof(marks[0].name), "%s", *end == ':' ? end + 1 : "?");
			n_marks++;
		}
	}
	if (!out_path[0] || !entry || !vectors || text_hi <= text_lo)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
