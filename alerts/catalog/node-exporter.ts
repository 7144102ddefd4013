import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { buildInfo, GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, many } from "./types";

const MEMINFO_FIELDS = [
  "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
  "Active_anon", "Inactive_anon", "Active_file", "Inactive_file", "Dirty", "Writeback", "AnonPages",
  "Mapped", "Shmem", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "Committed_AS",
  "CommitLimit", "SwapTotal", "SwapFree", "HugePages_Total", "HugePages_Free", "Hugepagesize",
];

/** netstat fields matched by the collector's default `--collector.netstat.fields` (all exposed untyped). */
const NETSTAT_COUNTERS = [
  "Tcp_ActiveOpens", "Tcp_PassiveOpens", "Tcp_InSegs", "Tcp_OutSegs", "Tcp_OutRsts", "Tcp_RetransSegs",
  "Tcp_InErrs", "TcpExt_ListenOverflows", "TcpExt_ListenDrops", "TcpExt_SyncookiesSent", "TcpExt_SyncookiesRecv",
  "TcpExt_SyncookiesFailed", "TcpExt_TCPSynRetrans", "TcpExt_TCPTimeouts", "TcpExt_TCPOFOQueue", "TcpExt_TCPRcvQDrop",
  "Udp_InDatagrams", "Udp_OutDatagrams", "Udp_NoPorts", "Udp_InErrors", "Udp_RcvbufErrors", "Udp_SndbufErrors",
  "Udp6_InDatagrams", "Udp6_OutDatagrams", "Udp6_NoPorts", "Udp6_InErrors", "Udp6_RcvbufErrors", "Udp6_SndbufErrors",
  "Ip_Forwarding", "IpExt_InOctets", "IpExt_OutOctets", "Ip6_InOctets", "Ip6_OutOctets",
  "Icmp_InMsgs", "Icmp_OutMsgs", "Icmp_InErrors", "Icmp6_InMsgs", "Icmp6_OutMsgs", "Icmp6_InErrors",
].map((f) => `node_netstat_${f}`);

const NETDEV = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"];

const FILESYSTEM_LABELS = ["device", "mountpoint", "fstype", "device_error"];

/**
 * prom/node-exporter with its default collectors (cpu, meminfo, loadavg, filesystem, diskstats, netdev,
 * netclass, netstat, sockstat, vmstat, stat, pressure, time, timex, uname, os, filefd, conntrack, entropy,
 * textfile) on Linux.
 */
export const NODE_EXPORTER: CatalogSource = {
  job: JOBS.nodeExporter,
  version: IMAGES.nodeExporter.tag,
  source: "github.com/prometheus/node_exporter @ v1.12.1: collector/*_linux.go, collector/*_common.go (defaultEnabled collectors)",
  note:
    "Default collectors only. netstat and vmstat values are untyped in the exposition; the ones that only grow are declared counters. " +
    "Hardware (hwmon, thermal) families depend on the host and are left out.",
  metrics: [
    counter("node_cpu_seconds_total", ["cpu", "mode"], "Seconds the CPUs spent in each mode."),
    counter("node_cpu_guest_seconds_total", ["cpu", "mode"], "Seconds the CPUs spent in guests (VMs) for each mode."),
    ...many("gauge", MEMINFO_FIELDS.map((f) => `node_memory_${f}_bytes`)),
    ...many("gauge", ["node_load1", "node_load5", "node_load15"]),
    gauge("node_filesystem_size_bytes", FILESYSTEM_LABELS, "Filesystem size in bytes."),
    gauge("node_filesystem_free_bytes", FILESYSTEM_LABELS, "Filesystem free space in bytes."),
    gauge("node_filesystem_avail_bytes", FILESYSTEM_LABELS, "Filesystem space available to non-root users in bytes."),
    gauge("node_filesystem_files", FILESYSTEM_LABELS, "Filesystem total file nodes."),
    gauge("node_filesystem_files_free", FILESYSTEM_LABELS, "Filesystem total free file nodes."),
    gauge("node_filesystem_readonly", FILESYSTEM_LABELS, "Filesystem read-only status."),
    gauge("node_filesystem_device_error", FILESYSTEM_LABELS, "Whether an error occurred while getting statistics for the given device."),
    gauge("node_filesystem_mount_info", ["device", "major", "minor", "mountpoint"], "Filesystem mount information."),
    ...many("counter", [
      "node_disk_reads_completed_total", "node_disk_reads_merged_total", "node_disk_read_bytes_total",
      "node_disk_read_time_seconds_total", "node_disk_writes_completed_total", "node_disk_writes_merged_total",
      "node_disk_written_bytes_total", "node_disk_write_time_seconds_total", "node_disk_io_time_seconds_total",
      "node_disk_io_time_weighted_seconds_total", "node_disk_discards_completed_total", "node_disk_discards_merged_total",
      "node_disk_discarded_sectors_total", "node_disk_discard_time_seconds_total", "node_disk_flush_requests_total",
      "node_disk_flush_requests_time_seconds_total",
    ], ["device"]),
    gauge("node_disk_io_now", ["device"], "The number of I/Os currently in progress."),
    ...many("counter", NETDEV.flatMap((f) => [`node_network_receive_${f}_total`, `node_network_transmit_${f}_total`]), ["device"]),
    counter("node_network_transmit_colls_total", ["device"]),
    counter("node_network_transmit_carrier_total", ["device"]),
    gauge("node_network_up", ["device"], "Value is 1 if operstate is 'up', 0 otherwise."),
    gauge("node_network_info", ["device", "address", "broadcast", "duplex", "operstate", "adminstate", "ifalias"]),
    ...many("gauge", ["node_network_speed_bytes", "node_network_mtu_bytes", "node_network_carrier", "node_network_transmit_queue_length"], ["device"]),
    ...many("counter", NETSTAT_COUNTERS.filter((n) => n !== "node_netstat_Ip_Forwarding")),
    gauge("node_netstat_Ip_Forwarding"),
    gauge("node_netstat_Tcp_CurrEstab", [], "TCP connections in state ESTABLISHED or CLOSE-WAIT."),
    ...many("gauge", [
      "node_sockstat_sockets_used", "node_sockstat_TCP_inuse", "node_sockstat_TCP_orphan", "node_sockstat_TCP_tw",
      "node_sockstat_TCP_alloc", "node_sockstat_TCP_mem", "node_sockstat_TCP_mem_bytes", "node_sockstat_UDP_inuse",
      "node_sockstat_UDP_mem", "node_sockstat_UDP_mem_bytes", "node_sockstat_TCP6_inuse", "node_sockstat_UDP6_inuse",
    ]),
    ...many("counter", [
      "node_vmstat_pgfault", "node_vmstat_pgmajfault", "node_vmstat_pgpgin", "node_vmstat_pgpgout",
      "node_vmstat_pswpin", "node_vmstat_pswpout", "node_vmstat_oom_kill",
    ]),
    counter("node_context_switches_total"),
    counter("node_intr_total"),
    counter("node_forks_total"),
    gauge("node_boot_time_seconds"),
    gauge("node_procs_running"),
    gauge("node_procs_blocked"),
    ...many("counter", [
      "node_pressure_cpu_waiting_seconds_total", "node_pressure_memory_waiting_seconds_total",
      "node_pressure_memory_stalled_seconds_total", "node_pressure_io_waiting_seconds_total",
      "node_pressure_io_stalled_seconds_total", "node_pressure_irq_stalled_seconds_total",
    ]),
    gauge("node_time_seconds", [], "System time in seconds since epoch (1970)."),
    gauge("node_time_zone_offset_seconds", ["time_zone"]),
    gauge("node_timex_offset_seconds"),
    gauge("node_timex_sync_status"),
    gauge("node_timex_maxerror_seconds"),
    gauge("node_uname_info", ["sysname", "release", "version", "machine", "nodename", "domainname"]),
    gauge("node_os_info", ["id", "id_like", "name", "pretty_name", "version", "version_codename", "version_id", "variant", "variant_id", "build_id", "image_id", "image_version"]),
    gauge("node_os_version", ["id", "id_like", "name"]),
    gauge("node_filefd_allocated"),
    gauge("node_filefd_maximum"),
    gauge("node_nf_conntrack_entries"),
    gauge("node_nf_conntrack_entries_limit"),
    gauge("node_entropy_available_bits"),
    gauge("node_entropy_pool_size_bits"),
    gauge("node_textfile_scrape_error"),
    gauge("node_scrape_collector_duration_seconds", ["collector"]),
    gauge("node_scrape_collector_success", ["collector"]),
    buildInfo("node_exporter"),
    ...GO_PROCESS_METRICS,
  ],
};
