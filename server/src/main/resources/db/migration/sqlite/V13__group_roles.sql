-- Group roles (docs/protocol.md, "Roles"): members.role holds owner, admin or member. Creation has always
-- stored the creator as owner and everyone else as member; this makes every existing group follow the rule
-- that a group with members has an owner: the creator if still a member, else the longest-standing member.
UPDATE members SET role = 'member' WHERE role NOT IN ('owner', 'admin', 'member');

UPDATE members SET role = 'owner'
WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = members.conversation_id AND c.direct_key IS NULL
              AND c.created_by = members.user_id);

UPDATE members SET role = 'owner'
WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = members.conversation_id AND c.direct_key IS NULL)
  AND NOT EXISTS (SELECT 1 FROM members o WHERE o.conversation_id = members.conversation_id AND o.role = 'owner')
  AND ordinal = (SELECT MIN(x.ordinal) FROM members x WHERE x.conversation_id = members.conversation_id);
