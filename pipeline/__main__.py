import gc
import sys

from pipeline.cli import main

code = main()
# The command is over and has written and closed everything: the interpreter's teardown would otherwise walk every
# object a render leaves (pandas, matplotlib, the notebook) in its final collections, 0.2 s for nothing.
gc.freeze()
sys.exit(code)
