# JupyterLab's server config for this repository (make lab puts this folder on JUPYTER_CONFIG_PATH).
# Saving a notebook strips its outputs, execution counts and Lab's metadata before it is written, so the
# tracked notebooks stay free of outputs and the code digest (pipeline.run.notebooks.code_of) stays the same.
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.FileContentsManager.pre_save_hook = "pipeline.run.notebooks.pre_save_hook"
