gen-qemu-args -F tests/data/bad/reserved-speed.lspci --qemu-version 7.2 01:00.0
