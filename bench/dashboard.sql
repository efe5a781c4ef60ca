-- The SQL the DistrictDashboard operation needs for district __SLUG__, run directly:
-- what the server's DataLoaders ask for, level by level (ids given as subqueries).
SELECT * FROM district WHERE slug = '__SLUG__';
SELECT * FROM municipality WHERE id IN (SELECT municipality_id FROM district WHERE slug = '__SLUG__');
SELECT COUNT(*) FROM collaboration_group WHERE archived_at IS NULL AND district_id IN (SELECT id FROM district WHERE slug = '__SLUG__');
SELECT * FROM collaboration_group WHERE archived_at IS NULL AND district_id IN (SELECT id FROM district WHERE slug = '__SLUG__') ORDER BY id LIMIT 51;
SELECT * FROM participation WHERE group_id IN (SELECT g.id FROM collaboration_group g JOIN district d ON d.id = g.district_id WHERE d.slug = '__SLUG__') ORDER BY id;
SELECT * FROM commitment WHERE group_id IN (SELECT g.id FROM collaboration_group g JOIN district d ON d.id = g.district_id WHERE d.slug = '__SLUG__') ORDER BY group_id, id;
SELECT * FROM organization WHERE id IN (SELECT p.organization_id FROM participation p JOIN collaboration_group g ON g.id = p.group_id JOIN district d ON d.id = g.district_id WHERE d.slug = '__SLUG__' UNION SELECT c.organization_id FROM commitment c JOIN collaboration_group g ON g.id = c.group_id JOIN district d ON d.id = g.district_id WHERE d.slug = '__SLUG__');
SELECT * FROM action_plan WHERE district_id IN (SELECT id FROM district WHERE slug = '__SLUG__') ORDER BY id LIMIT 11;
SELECT action_plan_id, COUNT(*) FROM activity WHERE action_plan_id IN (SELECT p.id FROM action_plan p JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__') GROUP BY action_plan_id;
SELECT * FROM activity WHERE action_plan_id IN (SELECT p.id FROM action_plan p JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__') ORDER BY action_plan_id, id;
SELECT * FROM priority_area WHERE id IN (SELECT a.priority_area_id FROM activity a JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__');
SELECT * FROM focus_area WHERE id IN (SELECT a.focus_area_id FROM activity a JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__');
SELECT am.activity_id, m.* FROM activity_method am JOIN method m ON m.id = am.method_id WHERE am.activity_id IN (SELECT a.id FROM activity a JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__');
SELECT * FROM responsibility WHERE activity_id IN (SELECT a.id FROM activity a JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__') ORDER BY activity_id, position;
SELECT * FROM organization WHERE id IN (SELECT r.organization_id FROM responsibility r JOIN activity a ON a.id = r.activity_id JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__');
SELECT * FROM follow_up WHERE activity_id IN (SELECT a.id FROM activity a JOIN action_plan p ON p.id = a.action_plan_id JOIN district d ON d.id = p.district_id WHERE d.slug = '__SLUG__') ORDER BY activity_id, year, term;
