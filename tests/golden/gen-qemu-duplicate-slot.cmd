gen-qemu-args -F tests/data/bad/slot-three-times.lspci --qemu-version 7.2 -o json 01:00.0
