// SPDX-License-Identifier: Apache-2.0
/*
 * The boot-time check of the configuration. The compiler already checked all of this; checking again
 * turns a compiler/runtime mismatch into a clear message instead of a wild memory access. A file of its
 * own, not one of the core's cold-sources, and not inlined into hv_main() (built for size): optimized for
 * speed, its loops unroll over the constant configuration at link time, and each check the compiler made
 * already folds away with its message. What stays in the image is what could fail.
 */
#include "internal.h"

static void check_vcpu_config(const struct hv_system_config *c, u64 gi, u64 vi)
{
	const struct hv_guest_config *g = &c->guests[gi];
	const struct hv_vcpu_config *v = &g->vcpus[vi];
	u64 all = c->pcpu_count == 64 ? ~0UL : BIT(c->pcpu_count) - 1;

	if (v->pcpu >= c->pcpu_count || !(v->affinity & BIT(v->pcpu)) || (v->affinity & ~all))
		hv_panic("guest '%s' vCPU %lu: affinity 0x%lx does not fit its pCPU %lu of %lu", g->name, vi,
			 v->affinity, v->pcpu, c->pcpu_count);
	if (v->priority > HV_SCHED_PRIORITY_MAX || v->time_slice_ns < HV_SCHED_SLICE_MIN_NS ||
	    v->time_slice_ns > HV_SCHED_SLICE_MAX_NS)
		hv_panic("guest '%s' vCPU %lu: priority %lu or time slice %lu ns out of range", g->name, vi,
			 v->priority, v->time_slice_ns);
	/* Without a scheduler a vCPU owns its pCPU, which names it in turn. */
	if (!c->scheduler && (v->affinity != BIT(v->pcpu) || c->pcpus[v->pcpu].guest != gi ||
			      c->pcpus[v->pcpu].vcpu != vi))
		hv_panic("guest '%s' vCPU %lu: pCPU %lu is not its own, and no scheduler is linked", g->name, vi,
			 v->pcpu);
}

/*
 * A guest's name prefixes its console lines ("[name] "), so it must not be the hypervisor's "hv" nor hold
 * anything that could end the prefix or the line: device-tree node-name characters only.
 */
static bool guest_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char c = name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ',' ||
		      c == '.' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return n && !(n == 2 && (name[0] | 0x20) == 'h' && (name[1] | 0x20) == 'v');
}

__noinline void hv_check_config(void)
{
	const struct hv_system_config *c = &hv_config;
	u64 vcpus = 0;

	if (c->abi_version != HV_CONFIG_ABI_VERSION)
		hv_panic("config ABI version %lu, runtime expects %u", c->abi_version, HV_CONFIG_ABI_VERSION);
	if (c->pcpu_count == 0 || c->pcpu_count > CONFIG_HV_MAX_CPUS)
		hv_panic("config has %lu CPUs, runtime built for 1..%u", c->pcpu_count, CONFIG_HV_MAX_CPUS);

	/*
	 * One loop per kind of check: each is small enough to unroll over the constant configuration, so its
	 * checks fold (the two-guest example keeps none). One loop holding them all was too big to unroll, and
	 * kept every check and message.
	 */
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];

		if (g->vcpu_count == 0 || g->vcpu_count > CONFIG_HV_MAX_CPUS)
			hv_panic("guest '%s' has %lu vCPUs, runtime built for 1..%u", g->name, g->vcpu_count,
				 CONFIG_HV_MAX_CPUS);
		vcpus += g->vcpu_count;
		if (vcpus > CONFIG_HV_MAX_VCPUS)
			hv_panic("config has more than %u vCPUs", CONFIG_HV_MAX_VCPUS);
		if (!g->s2_root)
			hv_panic("guest '%s' has no second-stage translation root", g->name);
		if (g->console && (g->console < g->devices || g->console >= g->devices + g->device_count))
			hv_panic("guest '%s': its console is not one of its devices", g->name);
	}
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];

		if (!guest_name_ok(g->name))
			hv_panic("guest %lu's name cannot prefix its console lines (see HV3044)", gi);
		/* One VMID per guest: a shared one would share TLB entries. */
		for (u64 other = 0; other < gi; other++)
			if (c->guests[other].vmid == g->vmid)
				hv_panic("guests '%s' and '%s' share VMID %lu", c->guests[other].name, g->name, g->vmid);
	}
	for (u64 gi = 0; gi < c->guest_count; gi++)
		for (u64 vi = 0; vi < c->guests[gi].vcpu_count; vi++)
			check_vcpu_config(c, gi, vi);
	for (u64 gi = 0; gi < c->guest_count; gi++) {
		const struct hv_guest_config *g = &c->guests[gi];

		for (u64 di = 0; di < g->device_count; di++) {
			const struct hv_device *dev = &g->devices[di];

			if (!dev->ops || !dev->ops->mmio || (dev->window_count && !dev->windows) ||
			    (dev->irq_count && !dev->irqs))
				hv_panic("guest '%s': device %s is incomplete", g->name, dev->path);
		}
	}
	for (u64 p = 0; p < c->pcpu_count; p++) {
		const struct hv_pcpu_config *pc = &c->pcpus[p];

		if (pc->guest != HV_NO_GUEST &&
		    (pc->guest >= c->guest_count || pc->vcpu >= c->guests[pc->guest].vcpu_count))
			hv_panic("pCPU %lu names guest %lu vCPU %lu, which does not exist", p, pc->guest, pc->vcpu);
	}
	arch_check_config(c);
}

