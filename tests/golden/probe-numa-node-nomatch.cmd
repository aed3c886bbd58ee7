probe -F examples/gpu-workstation.lspci --numa-node 09:00=1 03:00
