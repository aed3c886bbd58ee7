probe -F examples/gpu-workstation.lspci --numa-node zz:00=1 03:00
