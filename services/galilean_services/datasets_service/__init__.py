"""The datasets service (`/services/datasets`, issue 15): a control plane over the datasets
core. It records which datasets exist, who owns them and who they are shared with, and
asks a worker in the execution plane — running as the owner, seeing only the owner's
folder — to snapshot, diff, restore, tag, expire and collect them."""
