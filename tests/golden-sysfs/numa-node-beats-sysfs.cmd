probe --sysfs tests/out/sysfs/gpu -n -o json --numa-node 03:00.1=2 03:00 | grep numa_node
