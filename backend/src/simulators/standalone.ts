// Runs the NgDP and Graph simulators on their own, for trying them with curl:
//   npx tsx backend/src/simulators/standalone.ts        (PORT, default 4000; HOST, default 127.0.0.1)
import express from 'express';
import { listen } from './http';
import { DEMO_NGDP_CREDENTIAL, createNgdpSimulator } from './ngdp';
import { DEMO_GRAPH_TOKEN, createGraphSimulator } from './graph';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const DEMO_CVR = '10000009';
const DEMO_MAILBOX = 'digitalpost@nordlys.example';

const ngdp = createNgdpSimulator({ systemCredentials: [DEMO_NGDP_CREDENTIAL] });
const graph = createGraphSimulator({ acceptedTokens: [DEMO_GRAPH_TOKEN] });
graph.api.addMailbox({ userPrincipalName: DEMO_MAILBOX, displayName: 'Digital Post – Nordlys', kind: 'shared' });

const app = express();
app.disable('x-powered-by');
app.use('/sim/ngdp', ngdp.router);
app.use('/sim/graph', graph.router);

const { url } = await listen(app, port, host);
const basic = Buffer.from(`${DEMO_NGDP_CREDENTIAL.username}:${DEMO_NGDP_CREDENTIAL.password}`).toString('base64');
console.log(`Simulators listening on ${url}

NgDP   API base  ${url}/sim/ngdp/apis/v1      (Authorization: Basic ${basic})
       system    ${DEMO_NGDP_CREDENTIAL.username}:${DEMO_NGDP_CREDENTIAL.password}
Graph  SDK base  ${url}/sim/graph/  (version v1.0)     (Authorization: Bearer ${DEMO_GRAPH_TOKEN})
       mailbox   ${DEMO_MAILBOX}

Try:
  curl -X POST -H 'Content-Type: application/xml' --data-binary @letter.xml ${url}/sim/ngdp/${DEMO_CVR}/memos
  curl -H 'Authorization: Basic ${basic}' '${url}/sim/ngdp/apis/v1/memos/?page=0&size=10&delegatedCVR=${DEMO_CVR}'
  curl -H 'Authorization: Bearer ${DEMO_GRAPH_TOKEN}' ${url}/sim/graph/v1.0/users/${DEMO_MAILBOX}/mailFolders
  curl ${url}/sim/graph/sim/mailboxes/${DEMO_MAILBOX}/messages
  curl -X POST -H 'Content-Type: application/json' -d '{"rate429":0.2}' ${url}/sim/graph/sim/faults`);
