"""The usage service: the admin's dashboard of running workspaces (CPU, memory, disk now
and over the last day), services' health, culling decisions and pins."""
