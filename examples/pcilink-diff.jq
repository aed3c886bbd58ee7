# Where two hosts differ, per device model: link capability, link status and AtomicOps.
#   jq -n --slurpfile a host-a.json --slurpfile b host-b.json -f pcilink-diff.jq
# Input: `pcilink probe --all --format json` of each host (an Ansible fact works too).
# Output: one object per device model (vendor:device) whose functions differ, with both sides.
def model: "\(.vendor_id):\(.device_id)";
def facts: {slot, max_speed: .pcie.link.max_speed, max_width: .pcie.link.max_width,
            speed: .pcie.link.speed, width: .pcie.link.width, host_atomics,
            recommendation: (.recommendation | if . then "\(.x_speed)/\(.x_width)" else null end)};
def by_model: [.devices[] | select(.pcie.link)] | group_by(model)
              | map({key: (.[0] | model), value: map(facts)}) | from_entries;
($a[0] | by_model) as $A | ($b[0] | by_model) as $B
| [ ($A + $B | keys[]) as $m
    | (($A[$m] // []) | map(del(.slot))) as $x | (($B[$m] // []) | map(del(.slot))) as $y
    | select($x != $y)
    | {model: $m, a: ($A[$m] // []), b: ($B[$m] // [])} ]
