"""The policy of the CEL benchmarks: the embedded default, then the cookbook's ten rules twice (the second
time with other ids), as TwentyRules (src/jmh) builds it. Usage: python3 bench/lib/twenty-rules.py OUT.yaml"""
import sys

default = open("src/main/resources/io/podguard/policy/default-policy.yaml").read()
cookbook = open("docs/examples/rules-cookbook.yaml").read()
rules = cookbook[cookbook.index("rules:\n") + len("rules:\n"):]
open(sys.argv[1], "w").write(default + "\nrules:\n" + rules + rules.replace("- id: ", "- id: again-"))
