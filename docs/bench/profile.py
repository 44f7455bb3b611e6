#!/usr/bin/env python3
"""Where the stream threads of a `qis bench` run spend their CPU, from a JFR recording's execution samples.

    QIS_JAVA_OPTS=-XX:StartFlightRecording=filename=bench.jfr,settings=profile ./qis bench ...
    jfr print --json --events jdk.ExecutionSample bench.jfr > samples.json
    docs/bench/profile.py samples.json [FROM TO]

FROM and TO (HH:MM:SS, UTC) keep the samples of one phase, e.g. the app's catch-up as the progress lines time it.

Prints the share of samples per thread group, then for the stream threads: the share per stage (the innermost qis
processor or Kafka Streams activity on the stack) and the hottest methods (self time, and inclusive for qis code).
"""
import collections
import json
import sys

STAGES = [  # the first match from the top of the stack names the stage
    ("dev.qis.topology.IngestProcessor", "ingest (verify, history)"),
    ("dev.qis.topology.PacketStateProcessor", "packet state (store, score)"),
    ("dev.qis.topology.DomainViewProcessor", "domain view"),
    ("dev.qis.topology.NodeTallyProcessor", "node tally"),
    ("dev.qis.topology.DomainFramingProcessor", "domain framing"),
    ("dev.qis.store.StoreSerdes", "serdes between stages"),
    ("dev.qis.store.CompactSerdes", "serdes between stages"),
    ("dev.qis.topology.CandidateUpdateSerde", "serdes between stages"),
    ("org.apache.kafka.streams.processor.internals.RecordCollectorImpl", "producing (repartition, changelog, domain)"),
    ("org.apache.kafka.streams.processor.internals.StreamTask.commit", "commit"),
    ("org.apache.kafka.streams.processor.internals.TaskExecutor.commit", "commit"),
    ("org.apache.kafka.streams.processor.internals.TaskManager.commit", "commit"),
    ("org.apache.kafka.clients.consumer", "consumer poll"),
    ("org.rocksdb", "RocksDB"),
]


def frames(event):
    return [f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}"
            for f in event["values"]["stackTrace"]["frames"]]


def is_stream_thread(thread):
    return "StreamThread-" in thread and not thread.endswith("producer") and "Global" not in thread


def group(thread):
    if "GlobalStreamThread" in thread:
        return "global thread"
    if "StreamThread" in thread and thread.endswith("producer"):
        return "stream threads' producers (sender loop)"
    if "StreamThread" in thread:
        return "stream threads"
    if "kafka-producer-network-thread" in thread:
        return "producer network threads"
    if "qis-bench" in thread or "pool-" in thread:
        return "benchmark (loaders, clients)"
    if thread.startswith("qis-rest") or "HttpServer" in thread or "rest" in thread:
        return "REST"
    if "data-plane" in thread or "broker" in thread or "kafka-" in thread or "raft" in thread.lower():
        return "broker"
    return "other: " + thread.split("-")[0]


def main(path, start=None, end=None):
    events = json.load(open(path))["recording"]["events"]
    if start:
        events = [e for e in events if start <= e["values"]["startTime"][11:19] <= end]
    by_group = collections.Counter()
    stages = collections.Counter()
    self_time = collections.Counter()
    inclusive = collections.Counter()
    stream = 0
    for e in events:
        thread = e["values"]["sampledThread"]["javaName"] or e["values"]["sampledThread"]["osName"]
        by_group[group(thread)] += 1
        if not is_stream_thread(thread):
            continue
        stream += 1
        fs = frames(e)
        if fs:
            self_time[fs[0]] += 1
        for f in set(fs):
            if f.startswith("dev.qis."):
                inclusive[f] += 1
        stage = "other"
        for f in fs:
            hit = next((name for prefix, name in STAGES if f.startswith(prefix)), None)
            if hit:
                stage = hit
                break
        stages[stage] += 1
    total = sum(by_group.values())
    print(f"{total} samples")
    for g, n in by_group.most_common():
        print(f"  {100 * n / total:5.1f} %  {g}")
    print(f"\nstream threads: {stream} samples, by stage (innermost match)")
    for s, n in stages.most_common():
        print(f"  {100 * n / stream:5.1f} %  {s}")
    print("\nstream threads: hottest methods, self")
    for m, n in self_time.most_common(20):
        print(f"  {100 * n / stream:5.1f} %  {m}")
    print("\nstream threads: qis methods, inclusive")
    for m, n in inclusive.most_common(20):
        print(f"  {100 * n / stream:5.1f} %  {m}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
