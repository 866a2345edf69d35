-- A store of the first released schema (version 1), with the tiny handover
-- and a few actions: tests/trust/test_upgrade.py opens it with the current code.
CREATE TABLE event (
	id INTEGER NOT NULL, 
	at VARCHAR NOT NULL, 
	actor VARCHAR NOT NULL, 
	login VARCHAR NOT NULL, 
	verb VARCHAR NOT NULL, 
	instance_id INTEGER, 
	ref VARCHAR, 
	"before" VARCHAR, 
	"after" VARCHAR, 
	note VARCHAR, 
	evidence VARCHAR, 
	detail VARCHAR, 
	prev_hash VARCHAR NOT NULL, 
	hash VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(instance_id) REFERENCES instance (id)
);
INSERT INTO "event" VALUES(1,'2026-11-20T09:00:00.000000Z','setup','setup','sync',NULL,NULL,NULL,NULL,NULL,NULL,'{"counts":{"added":14,"reopened":0,"retired":0,"revived":0,"total":14},"handover":"Tiny","members":{"added":["lea","lou","eve"],"changed":[],"deactivated":[],"reactivated":[]},"receivers":{"added":[["eve","api"],["eve","db"],["lea","api"]],"dropped":[],"revived":[]},"reopened_ids":[],"settings_changed":{"handover_name":[null,"Tiny"],"identity":[null,"login"],"min_ready_per_system":[null,"1"],"ready_threshold":[null,"1.0"],"sample":[null,"0"],"stages":[null,"[\"documented\", \"shadowed\"]"],"target_date":[null,"2027-01-31"]},"systems":{"added":["api","db"],"changed":[],"deactivated":[],"reactivated":[]},"templates":[{"instances_added":5,"items_added":["runbook","dr","selfcheck"],"items_changed":{},"items_removed":[],"new":true,"removed":false,"reopened":0,"retired":0,"revived":0,"template":"docs"},{"instances_added":6,"items_added":["read","shadow"],"items_changed":{},"items_removed":[],"new":true,"removed":false,"reopened":0,"retired":0,"revived":0,"template":"kt"},{"instances_added":3,"items_added":["access"],"items_changed":{},"items_removed":[],"new":true,"removed":false,"reopened":0,"retired":0,"revived":0,"template":"onboard"}]}','','0a030deb7b4fb7c1523d9483e0a60c818e52bd534333b6f9b2d79fc62bf22864');
INSERT INTO "event" VALUES(2,'2026-11-20T09:00:00.000000Z','eve','root','done',6,'kt/read','todo','done','read twice',NULL,'{"member":"eve","system":"api"}','0a030deb7b4fb7c1523d9483e0a60c818e52bd534333b6f9b2d79fc62bf22864','a367cdd5ba06efa9311f788b34645dd81698505083fc79ae87c13818f0c1d92e');
INSERT INTO "event" VALUES(3,'2026-11-20T09:00:00.000000Z','lea','root','signoff',6,'kt/read','done','signed_off',NULL,NULL,'{"member":"eve","system":"api"}','a367cdd5ba06efa9311f788b34645dd81698505083fc79ae87c13818f0c1d92e','0747a73b67dbac8a86c865ff2d364f0ce001f6b04b49fcc1d90fd7595a86b16e');
INSERT INTO "event" VALUES(4,'2026-11-20T09:00:00.000000Z','eve','root','done',12,'onboard/access','todo','done',NULL,NULL,'{"member":"eve","system":null}','0747a73b67dbac8a86c865ff2d364f0ce001f6b04b49fcc1d90fd7595a86b16e','9a91ce60a289beb6e340814eb27b9e0903183120df033be22777837481975579');
INSERT INTO "event" VALUES(5,'2026-11-20T09:00:00.000000Z','lea','root','na',1,'docs/dr','todo','na',NULL,NULL,'{"member":null,"reason":"API has no DR of its own","system":"api"}','9a91ce60a289beb6e340814eb27b9e0903183120df033be22777837481975579','a1938144839408c154be5abd9de662010e33619bde16d74faf6f392a5c601ab1');
INSERT INTO "event" VALUES(6,'2026-11-20T09:00:00.000000Z','eve','root','block',10,'kt/shadow','todo','blocked',NULL,NULL,'{"member":"eve","reason":"no release until January","system":"db"}','a1938144839408c154be5abd9de662010e33619bde16d74faf6f392a5c601ab1','ccfbdf946e458e6950ddaa1dc6a62eab9f0bde07ea0ed25c8198ab24e0d81309');
CREATE TABLE instance (
	id INTEGER NOT NULL, 
	item_id INTEGER NOT NULL, 
	member_id INTEGER, 
	system_id INTEGER, 
	state VARCHAR NOT NULL, 
	retired BOOLEAN NOT NULL, 
	weight INTEGER NOT NULL, 
	signoff BOOLEAN NOT NULL, 
	stage_idx INTEGER, 
	due DATE, 
	revision INTEGER NOT NULL, 
	done_by VARCHAR, 
	done_at VARCHAR, 
	signed_off_by VARCHAR, 
	signed_off_at VARCHAR, 
	evidence VARCHAR, 
	note VARCHAR, 
	reason VARCHAR, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(item_id) REFERENCES item (id), 
	FOREIGN KEY(member_id) REFERENCES member (id), 
	FOREIGN KEY(system_id) REFERENCES system (id)
);
INSERT INTO "instance" VALUES(1,2,NULL,1,'na',0,1,1,1,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,'API has no DR of its own',2);
INSERT INTO "instance" VALUES(2,1,NULL,1,'todo',0,2,1,0,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(3,1,NULL,2,'todo',0,2,1,0,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(4,3,NULL,1,'todo',0,1,0,NULL,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(5,3,NULL,2,'todo',0,1,0,NULL,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(6,4,3,1,'signed_off',0,1,1,0,NULL,1,'eve','2026-11-20T09:00:00.000000Z','lea','2026-11-20T09:00:00.000000Z',NULL,'read twice',NULL,3);
INSERT INTO "instance" VALUES(7,4,3,2,'todo',0,1,1,0,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(8,4,1,1,'todo',0,1,1,0,NULL,1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(9,5,3,1,'todo',0,3,1,1,'2026-11-01',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(10,5,3,2,'blocked',0,3,1,1,'2026-11-01',1,NULL,NULL,NULL,NULL,NULL,NULL,'no release until January',2);
INSERT INTO "instance" VALUES(11,5,1,1,'todo',0,3,1,1,'2026-11-01',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(12,6,3,NULL,'done',0,1,0,NULL,'2026-10-23',1,'eve','2026-11-20T09:00:00.000000Z',NULL,NULL,NULL,NULL,NULL,2);
INSERT INTO "instance" VALUES(13,6,1,NULL,'todo',0,1,0,NULL,'2026-10-23',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO "instance" VALUES(14,6,2,NULL,'todo',0,1,0,NULL,'2026-10-23',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
CREATE TABLE item (
	id INTEGER NOT NULL, 
	template_id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	stage VARCHAR, 
	weight INTEGER NOT NULL, 
	signoff BOOLEAN NOT NULL, 
	evidence BOOLEAN NOT NULL, 
	due_spec VARCHAR, 
	due_date DATE, 
	tiers VARCHAR, 
	revision INTEGER NOT NULL, 
	session_at VARCHAR, 
	session_minutes INTEGER, 
	session_trainer VARCHAR, 
	position INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (template_id, "key"), 
	FOREIGN KEY(template_id) REFERENCES template (id)
);
INSERT INTO "item" VALUES(1,1,'runbook','Runbook','','documented',2,1,0,NULL,NULL,NULL,1,NULL,NULL,NULL,0,1);
INSERT INTO "item" VALUES(2,1,'dr','DR plan','','shadowed',1,1,1,NULL,NULL,'[1]',1,NULL,NULL,NULL,1,1);
INSERT INTO "item" VALUES(3,1,'selfcheck','Self check','',NULL,1,0,0,NULL,NULL,NULL,1,NULL,NULL,NULL,2,1);
INSERT INTO "item" VALUES(4,2,'read','Read the docs','','documented',1,1,0,NULL,NULL,NULL,1,NULL,NULL,NULL,0,1);
INSERT INTO "item" VALUES(5,2,'shadow','Shadow a release','','shadowed',3,1,0,'2026-11-01','2026-11-01',NULL,1,NULL,NULL,NULL,1,1);
INSERT INTO "item" VALUES(6,3,'access','Access granted','',NULL,1,0,0,'T-100d','2026-10-23',NULL,1,NULL,NULL,NULL,0,1);
CREATE TABLE member (
	id INTEGER NOT NULL, 
	handle VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	db_user VARCHAR, 
	position INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (handle)
);
INSERT INTO "member" VALUES(1,'lea','Lea Lead','lead',NULL,0,1);
INSERT INTO "member" VALUES(2,'lou','Lou Lead','lead',NULL,1,1);
INSERT INTO "member" VALUES(3,'eve','Eve Engineer','engineer',NULL,2,1);
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','1');
INSERT INTO "meta" VALUES('handover_name','Tiny');
INSERT INTO "meta" VALUES('target_date','2027-01-31');
INSERT INTO "meta" VALUES('stages','["documented", "shadowed"]');
INSERT INTO "meta" VALUES('ready_threshold','1.0');
INSERT INTO "meta" VALUES('min_ready_per_system','1');
INSERT INTO "meta" VALUES('identity','login');
INSERT INTO "meta" VALUES('sample','0');
CREATE TABLE receiver (
	member_id INTEGER NOT NULL, 
	system_id INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (member_id, system_id), 
	FOREIGN KEY(member_id) REFERENCES member (id), 
	FOREIGN KEY(system_id) REFERENCES system (id)
);
INSERT INTO "receiver" VALUES(1,1,1);
INSERT INTO "receiver" VALUES(3,1,1);
INSERT INTO "receiver" VALUES(3,2,1);
CREATE TABLE system (
	id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	tier INTEGER NOT NULL, 
	min_ready INTEGER, 
	position INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE ("key")
);
INSERT INTO "system" VALUES(1,'api','API',1,NULL,0,1);
INSERT INTO "system" VALUES(2,'db','Database',2,NULL,1,1);
CREATE TABLE template (
	id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	scope VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE ("key")
);
INSERT INTO "template" VALUES(1,'docs','System docs','documentation','system','docs.toml',1);
INSERT INTO "template" VALUES(2,'kt','System KT','training','member_system','kt.toml',1);
INSERT INTO "template" VALUES(3,'onboard','Onboarding','documentation','member','onboard.toml',1);
CREATE INDEX ix_instance_system ON instance (system_id, member_id);
CREATE INDEX ix_instance_item ON instance (item_id, member_id, system_id);
CREATE INDEX ix_instance_due ON instance (due);
CREATE INDEX ix_instance_figures ON instance (retired, member_id, system_id, stage_idx);
CREATE INDEX ix_event_instance_id ON event (instance_id);
