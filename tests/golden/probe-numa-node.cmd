probe -F examples/gpu-workstation.lspci -n --numa-node 03:00=1 --numa-node 0000:07:00.1=3 03:00 07:00
