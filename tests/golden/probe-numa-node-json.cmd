probe -F examples/gpu-workstation.lspci -n -o json --numa-node 04:00=1 04:00.0 05:00.0 | grep numa_node
