#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright: memhotctl contributors
# GNU General Public License v2.0+ (see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: dax_memory
short_description: Put a device-dax memory device into system RAM, devdax or offline with memhotctl
version_added: "0.1.0"
description:
  - Drives the installed C(memhotctl) through its JSON output (C(-j)) and its
    documented exit codes to bring one dax device into the wanted state.
  - Reads the device's state first with C(memhotctl -j status DEVICE) and runs
    a changing command only when the device is not in the wanted state.
  - C(changed) is true only when memhotctl reports a step that changed the
    kernel's state (a block onlined or offlined, a driver bound or unbound).
  - In check mode the command runs with C(--dry-run) (nothing is written) and
    the module reports whether its plan has changing steps.
  - In diff mode the device's driver and every block's state and zone are
    shown before and after.
  - memhotctl must be run as root; use C(become) on hosts where Ansible does
    not connect as root.
options:
  device:
    description:
      - Name of the dax device, for example C(dax0.0).
      - One device per task; C(all) is refused by memhotctl for changing
        commands (exit 2).
    type: str
    required: true
  state:
    description:
      - C(system_ram) runs C(memhotctl online DEVICE --zone ZONE), so that
        every block is online in I(zone) and the device bound to kmem.
      - C(devdax) runs C(memhotctl remove DEVICE), so that every block is
        offline, kmem unbound, the range released and device_dax bound.
      - C(offline) runs C(memhotctl offline DEVICE), so that every block is
        offline and the device still bound to kmem.
    type: str
    required: true
    choices: [ system_ram, devdax, offline ]
  zone:
    description:
      - Zone the blocks are onlined in, only with I(state=system_ram).
      - Only C(movable) blocks can be removed again reliably.
    type: str
    choices: [ movable, normal ]
    default: movable
  timeout:
    description:
      - Deadline in seconds for memhotctl's whole operation (C(--timeout)).
      - When not given, memhotctl's default (120 s) applies.
    type: int
  force:
    description:
      - Only with I(state=devdax), passes C(--force) to C(memhotctl remove),
        which skips its check that enough memory is free elsewhere.
    type: bool
    default: false
  binary:
    description:
      - The memhotctl to run, a path or a name looked up in C(PATH) (and
        C(/usr/sbin), C(/usr/local/sbin)).
    type: str
    default: memhotctl
  sysroot:
    description:
      - For tests only, passes C(--sysroot) so memhotctl works on a tree of
        plain files instead of C(/sys) and C(/proc).
    type: path
notes:
  - Exit codes of memhotctl, returned as I(rc) with I(rc_meaning) on failure,
    are 0 done, 1 error before any change, 2 usage or bad device name, 3 busy
    (retries or the deadline exhausted, everything rolled back), 4 partial
    (the state changed and could not be restored), 5 leaked (the range is
    still System RAM after the unbind; a reboot is needed).
  - Supports check mode and diff mode.
requirements:
  - memhotctl on the managed host
author:
  - memhotctl contributors !UNKNOWN
'''

EXAMPLES = r'''
- name: Take dax0.0's memory out of the page allocator (back to devdax)
  memhotctl.dax.dax_memory:
    device: dax0.0
    state: devdax
    timeout: 300

- name: Give dax0.0 to the kernel as movable system RAM
  memhotctl.dax.dax_memory:
    device: dax0.0
    state: system_ram
    zone: movable

- name: Offline dax0.0's blocks but keep it bound to kmem
  memhotctl.dax.dax_memory:
    device: dax0.0
    state: offline
  register: r

- name: Show what memhotctl did
  ansible.builtin.debug:
    msg: "{{ r.message }} ({{ r.changed_blocks }} blocks changed)"
'''

RETURN = r'''
device:
  description: The device handled.
  returned: always
  type: str
  sample: dax0.0
command:
  description: The memhotctl command run to change the state, empty when the device was already in the wanted state.
  returned: always
  type: list
  elements: str
  sample: [ "/usr/sbin/memhotctl", "-j", "remove", "dax0.0" ]
rc:
  description: memhotctl's exit code of the changing command (0 when none was needed).
  returned: always
  type: int
  sample: 0
rc_meaning:
  description: The documented meaning of I(rc).
  returned: always
  type: str
  sample: done
message:
  description: memhotctl's message (its JSON C(message), the C(error) of its error document, or its standard error when it printed no JSON).
  returned: always
  type: str
  sample: "dax0.0: remove done"
outcome:
  description: memhotctl's C(outcome) (done, failed, busy, partial, leaked), C(none) when no command was needed.
  returned: always
  type: str
  sample: done
changed_blocks:
  description: Number of blocks whose state memhotctl changed (in check mode, would change).
  returned: always
  type: int
  sample: 5
changed_steps:
  description: The changing steps memhotctl did (in check mode, planned), each as C(step) and C(block) or C(arg).
  returned: always
  type: list
  elements: str
  sample: [ "offline-block memory35", "unbind-kmem kmem", "bind-devdax device_dax" ]
failed_blocks:
  description: The memory blocks memhotctl named in a failure, those whose write failed (an C(error) in its JSON), else the C(memoryN) its message names.
  returned: failure
  type: list
  elements: int
  sample: [ 36 ]
before:
  description: The device as C(memhotctl -j status) reported it before the task.
  returned: always
  type: dict
after:
  description: The device as C(memhotctl -j status) reported it after the task (in check mode, the same as I(before)).
  returned: always
  type: dict
result:
  description: memhotctl's JSON document of the changing command, as it printed it.
  returned: when a changing command ran
  type: dict
stderr:
  description: memhotctl's standard error of the changing command.
  returned: when a changing command ran
  type: str
'''

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule

RC_MEANING = {
    0: 'done',
    1: 'error before any change (nothing changed)',
    2: 'usage or bad input (nothing changed)',
    3: 'busy: retries or the deadline exhausted, everything rolled back',
    4: 'partial: the state changed and could not be restored',
    5: 'leaked: the range is still System RAM, a reboot is needed',
}

# Steps that change the kernel's state; the others check, wait, or set the
# hotplug policy for the duration of the run and restore it.
CHANGING_STEPS = ('online-block', 'offline-block', 'unbind', 'bind-kmem',
                  'unbind-kmem', 'bind-devdax')

SUBCOMMAND = {'system_ram': 'online', 'devdax': 'remove', 'offline': 'offline'}


def rc_meaning(rc):
    return RC_MEANING.get(rc, 'unknown exit code %d' % rc)


def parse_json(out):
    try:
        doc = json.loads(out)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


class Memhotctl(object):
    def __init__(self, module):
        self.module = module
        p = module.params
        binary = p['binary']
        if '/' not in binary:
            binary = module.get_bin_path(binary, required=True,
                                         opt_dirs=['/usr/sbin', '/usr/local/sbin'])
        elif not os.access(binary, os.X_OK):
            module.fail_json(msg='memhotctl not found or not executable: %s' % binary)
        self.binary = binary
        self.common = []
        if p['sysroot']:
            self.common += ['--sysroot', p['sysroot']]

    def run(self, args):
        cmd = [self.binary, '-j'] + args + self.common
        rc, out, err = self.module.run_command(cmd, environ_update={'LC_ALL': 'C'})
        return cmd, rc, out, err, parse_json(out)

    def fail(self, what, cmd, rc, out, err, doc, **extra):
        msg = (doc or {}).get('message') or (doc or {}).get('error') or err.strip() or out.strip()
        # the blocks whose write failed; when memhotctl failed before
        # writing (no block has an error), the blocks its message names
        named = set(b.get('block') for b in (doc or {}).get('blocks') or []
                    if b.get('error'))
        if not named:
            named = set(int(n) for n in re.findall(r'\bmemory(\d+)\b', '%s\n%s' % (msg, err)))
        self.module.fail_json(
            msg='memhotctl %s failed with exit %d (%s): %s' % (what, rc, rc_meaning(rc), msg),
            rc=rc, rc_meaning=rc_meaning(rc), message=msg, command=cmd,
            outcome=(doc or {}).get('outcome', 'failed'),
            failed_blocks=sorted(b for b in named if b is not None),
            result=doc, stderr=err, **extra)

    def status(self, device, changed=False):
        """The device's status object; changed: what a failure reports"""
        cmd, rc, out, err, doc = self.run(['status', device])
        devices = (doc or {}).get('devices')
        if rc != 0 or not devices:
            self.fail('status %s' % device, cmd, rc or 1, out, err, doc,
                      device=device, changed=changed)
        # schema_version (when present) is informational: the keys used
        # here are the ones of version 1
        return devices[0]


def in_state(dev, state, zone):
    driver = dev.get('driver')
    if state == 'devdax':
        return driver == 'device_dax'
    blocks = dev.get('blocks') or []
    if driver != 'kmem' or not blocks or dev.get('missing_blocks'):
        return False
    if state == 'offline':
        return all(b.get('state') == 'offline' for b in blocks)
    return all(b.get('state') == 'online' and
               (b.get('zone') or '').lower() == zone for b in blocks)


def changing_steps(doc, dry_run):
    steps = []
    for s in (doc or {}).get('steps') or []:
        if s.get('step') not in CHANGING_STEPS:
            continue
        if not dry_run and not s.get('done'):
            continue
        if 'block' in s:
            steps.append('%s memory%d' % (s['step'], s['block']))
        else:
            steps.append('%s %s' % (s['step'], s.get('arg', '')))
    return steps


def describe(dev):
    lines = ['driver: %s' % dev.get('driver')]
    for b in dev.get('blocks') or []:
        lines.append('memory%d: %s %s' % (b.get('block'), b.get('state'), b.get('zone') or ''))
    return '\n'.join(l.rstrip() for l in lines) + '\n'


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type='str', required=True),
            state=dict(type='str', required=True, choices=['system_ram', 'devdax', 'offline']),
            zone=dict(type='str', default='movable', choices=['movable', 'normal']),
            timeout=dict(type='int'),
            force=dict(type='bool', default=False),
            binary=dict(type='str', default='memhotctl'),
            sysroot=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    device, state, zone = p['device'], p['state'], p['zone']
    if p['force'] and state != 'devdax':
        module.fail_json(msg='force applies to state=devdax only (memhotctl remove --force)',
                         rc=2, rc_meaning=rc_meaning(2), device=device)
    if p['timeout'] is not None and p['timeout'] <= 0:
        module.fail_json(msg='timeout must be a positive number of seconds, not %d' % p['timeout'],
                         rc=2, rc_meaning=rc_meaning(2), device=device)

    mh = Memhotctl(module)
    before = mh.status(device)
    result = dict(changed=False, device=device, command=[], rc=0, rc_meaning=rc_meaning(0),
                  outcome='none', message='%s: already %s' % (device, state),
                  changed_blocks=0, changed_steps=[], before=before, after=before)
    if module._diff:
        result['diff'] = dict(before=describe(before), after=describe(before))
    if in_state(before, state, zone):
        module.exit_json(**result)

    args = [SUBCOMMAND[state], device]
    if state == 'system_ram':
        args += ['--zone', zone]
    if state == 'devdax' and p['force']:
        args.append('--force')
    if p['timeout'] is not None:
        args += ['--timeout', str(p['timeout'])]
    if module.check_mode:
        args.append('--dry-run')
    cmd, rc, out, err, doc = mh.run(args)
    if rc != 0 or doc is None:
        # 4 and 5 leave the state changed; 1-3 change nothing by contract
        after = mh.status(device, True) if rc in (4, 5) else before
        extra = dict(device=device, changed=rc in (4, 5), before=before, after=after)
        if module._diff:
            extra['diff'] = dict(before=describe(before), after=describe(after))
        mh.fail(' '.join(args), cmd, rc or 1, out, err, doc, **extra)

    steps = changing_steps(doc, module.check_mode)
    blocks = set(s.split(' memory')[1] for s in steps if ' memory' in s)
    after = before if module.check_mode else mh.status(device, bool(steps))
    result.update(changed=bool(steps), command=cmd, rc=rc, rc_meaning=rc_meaning(rc),
                  outcome=doc.get('outcome', ''), message=doc.get('message', ''),
                  changed_blocks=len(blocks), changed_steps=steps, after=after,
                  result=doc, stderr=err)
    if module._diff:
        result['diff'] = dict(before=describe(before),
                              after=describe(predict(before, doc) if module.check_mode else after))
    module.exit_json(**result)


def predict(dev, doc):
    """The device after the dry run's plan, for check mode's diff."""
    dev = dict(dev)
    blocks = dict((b.get('block'), dict(b)) for b in dev.get('blocks') or [])
    for s in doc.get('steps') or []:
        step = s.get('step')
        if step in ('online-block', 'offline-block'):
            b = blocks.setdefault(s.get('block'), {'block': s.get('block')})
            b['state'] = 'online' if step == 'online-block' else 'offline'
            if step == 'online-block':
                b['zone'] = (s.get('zone') or '').capitalize()
        elif step == 'bind-kmem':
            dev['driver'] = 'kmem'
        elif step == 'unbind-kmem':
            dev['driver'] = None
            blocks = {}
        elif step == 'bind-devdax':
            dev['driver'] = 'device_dax'
    dev['blocks'] = [blocks[k] for k in sorted(blocks)]
    return dev


if __name__ == '__main__':
    main()
