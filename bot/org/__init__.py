"""The organisation: units (党委/党总支/党支部), members' places in them, roles and scope."""
