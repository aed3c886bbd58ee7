probe -F examples/gpu-workstation.lspci --numa-node 03:00=x 03:00
