gen-qemu-args --sysfs tests/out/sysfs/synth100.sysfs --qemu-version 9.0 09:00.1 09:00.2
