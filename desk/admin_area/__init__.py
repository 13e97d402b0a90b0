"""The admin area inside the desk (/desk/admin/): configuration screens for supervisors and
admins, gathered from a section registry (registry.py) that any app may fill."""
