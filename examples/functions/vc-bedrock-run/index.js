'use strict';
// Background job (design section 5): runs the Bedrock analysis of one visibility check.
// Invoked asynchronously with `{ "lead_id": "…" }`; reads the lead from Redis, asks the first
// model of BEDROCK_MODEL_IDS, and stores the result for GET /vc/result/{token}.

const { log } = require('@matbakh/shared-utils');

const RESULT_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The InvokeModel request for an Anthropic model on Bedrock (Messages API). */
function buildRequest(modelId, lead) {
  const prompt = [
    'You assess the online visibility of a restaurant for its owner.',
    `Business: ${lead.business_name}`,
    `Website: ${lead.website || 'none given'}`,
    'Answer with a JSON object {"score": 0-100, "strengths": [..], "improvements": [..]}.',
  ].join('\n');
  return {
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1024,
      messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    }),
  };
}

function createHandler({ loadLead, invoke, saveResult, modelIds }) {
  return async (event) => {
    if (!event || typeof event.lead_id !== 'string') throw new Error('event.lead_id is required');
    if (modelIds.length === 0) throw new Error('BEDROCK_MODEL_IDS is empty');
    const lead = await loadLead(event.lead_id);
    if (!lead) {
      log('warn', 'lead expired before its analysis', { leadId: event.lead_id });
      return { status: 'expired' };
    }
    const response = await invoke(buildRequest(modelIds[0], lead));
    const text = response.content.map((c) => c.text || '').join('');
    await saveResult(event.lead_id, { model: modelIds[0], analysis: text, finished_at: new Date().toISOString() });
    return { status: 'done' };
  };
}

function defaultDependencies(env = process.env) {
  const redis = () => require('@matbakh/database-client').redis();
  return {
    modelIds: (env.BEDROCK_MODEL_IDS || '').split(',').filter(Boolean),
    loadLead: async (id) => JSON.parse((await (await redis()).command('GET', `vc:lead:${id}`)) || 'null'),
    saveResult: async (id, result) =>
      (await redis()).command('SET', `vc:result:${id}`, JSON.stringify(result), 'EX', RESULT_TTL_SECONDS),
    invoke: async (request) => {
      // The AWS SDK v3 ships with the Node.js Lambda runtime.
      const { BedrockRuntimeClient, InvokeModelCommand } = require('@aws-sdk/client-bedrock-runtime');
      const out = await new BedrockRuntimeClient({}).send(new InvokeModelCommand(request));
      return JSON.parse(Buffer.from(out.body).toString('utf8'));
    },
  };
}

let handler;
exports.handler = (event, context) => (handler ??= createHandler(defaultDependencies()))(event, context);
exports.buildRequest = buildRequest;
exports.createHandler = createHandler;
