gen-qemu-args -F examples/gpu-workstation.lspci --plan tests/data/plans/numa.yaml --numa-node 07:00=3 --numa-map 3=2 03:00 07:00
