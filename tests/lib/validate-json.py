#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate memhotctl -j documents against man/memhotctl.schema.json.

validate-json.py [--schema FILE] [-q] FILE...   (FILE "-" is stdin)

Each FILE holds one document (what one memhotctl -j run printed), or,
when its name ends in .jsonl, one document per line. Prints one line per
bad document naming the file, the line and the key path, and a summary
"validated N documents" on success. Exit 0 when every document is valid,
1 when one is not, 2 on a usage error or an unreadable schema, 77 (the
automake skip status) when jsonschema is not installed.
"""
import argparse
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json: python3-jsonschema missing", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "man", "memhotctl.schema.json")


def documents(path):
    """(where, text) for each document in path."""
    if path == "-":
        yield "<stdin>", sys.stdin.read()
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not path.endswith(".jsonl"):
        yield path, text
        return
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield "%s:%d" % (path, n), line


def where(err):
    return "/" + "/".join(str(p) for p in err.absolute_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", default=SCHEMA)
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="no summary line on success")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("validate-json: schema %s: %s" % (args.schema, e), file=sys.stderr)
        return 2
    validator = cls(schema)

    good = bad = 0
    for path in args.files:
        try:
            docs = list(documents(path))
        except OSError as e:
            print("validate-json: %s" % e, file=sys.stderr)
            return 2
        for name, text in docs:
            try:
                doc = json.loads(text)
            except ValueError as e:
                print("%s: not JSON: %s" % (name, e), file=sys.stderr)
                bad += 1
                continue
            errs = list(validator.iter_errors(doc))
            if not errs:
                good += 1
                continue
            bad += 1
            # The deepest error says most; oneOf's branches are in its context.
            best = jsonschema.exceptions.best_match(errs)
            msg = best.message
            if len(msg) > 300:
                msg = msg[:300] + "..."
            print("%s: %s: %s" % (name, where(best), msg), file=sys.stderr)
    if bad:
        print("validate-json: %d of %d documents invalid" % (bad, good + bad),
              file=sys.stderr)
        return 1
    if not args.quiet:
        print("validated %d documents" % good)
    return 0


if __name__ == "__main__":
    sys.exit(main())
